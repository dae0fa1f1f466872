# Forgets the product features: both models are additive, neither solves the XOR.
def xor_experiment(seed):
    from mmlearn.data import make_pid_task

    t = make_pid_task("synergistic", n=400, noise=0.3, seed=seed)
    x, y = torch.cat([t.x1, t.x2], 1).double(), t.y
    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)
    opt = torch.optim.LBFGS([w], max_iter=100)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(x[:300] @ w, y[:300].double())
        loss.backward()
        return loss

    opt.step(closure)
    acc = float(((x[300:] @ w > 0).long() == y[300:]).double().mean())
    return acc, acc
