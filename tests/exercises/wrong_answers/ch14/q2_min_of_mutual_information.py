# Takes min(I(X1;Y), I(X2;Y)) instead of the expected minimum of the specific informations.
def imin_redundancy(p):
    def mi(joint):
        pa, pb = joint.sum(1, keepdim=True), joint.sum(0, keepdim=True)
        nz = joint > 0
        return (joint[nz] * torch.log2(joint[nz] / (pa * pb)[nz])).sum()

    return torch.minimum(mi(p.sum(1)), mi(p.sum(0)))
