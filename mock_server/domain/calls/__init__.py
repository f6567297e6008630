"""Calls and their lifecycle: the steps a call goes through, callee scripts, the
synthetic transcript, what reads answer, the POST rules, List paging and pacing."""
