"""Recordings of real exchanges and what is checked of them: the exchange files
(``exchange.py``), an answer against its contract and the fake's (``checks.py``), two answers
compared with ids and times normalised (``compare.py``) and a recording replayed against a fake
(``replay.py``). The proxy records them; the kit and the checker read them."""
