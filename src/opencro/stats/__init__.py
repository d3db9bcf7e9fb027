"""Pure statistics: no Django, no I/O. Every method cites its source in its docstring."""
