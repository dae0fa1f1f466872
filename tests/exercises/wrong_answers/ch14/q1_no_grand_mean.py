# Forgets to subtract the grand mean: the constant is counted twice.
def emap(table):
    return table.mean(1) + table.mean(0)
