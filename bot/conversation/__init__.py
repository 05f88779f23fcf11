"""The complaint conversation (Listen, Understand, Resolve, Confirm); the actions call :mod:`.dialogue`."""
