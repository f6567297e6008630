"""The validating proxy and recorded exchanges: real traffic as evidence about the fake."""
