"""Time: the clocks, the engine (the one time loop), the scheduler and fast-forward."""
