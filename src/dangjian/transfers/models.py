"""组织关系转接: the models of this work system."""
