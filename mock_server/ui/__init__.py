"""What people look at: the live dashboard (``/__fake__/ui``) and the timeline file."""
