# Averages over the second modality only: the result depends on x1 alone.
def emap(table):
    return table.mean(1)
