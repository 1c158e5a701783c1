"""流动党员: the models of this work system."""
