"""Run the PyTorch reference model (its own model.py) on fixed inputs, for the parity test.

Runs in the torch venv, not under TensorFlow. Writes G.ckpt and D.ckpt (state_dicts saved with
torch.save, as the reference's solver does) and io.npz: the inputs, G's output, D's two heads and
the D and G losses of one batch computed exactly as the reference's solver.py computes them.

Usage: python run_reference.py REFERENCE_DIR OUT_DIR
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

ARCH = dict(image_size=32, conv_dim=8, c_dim=3, g_repeat=2, d_repeat=3, batch=4)
LAMBDA_CLS, LAMBDA_REC, LAMBDA_GP = 1.0, 10.0, 10.0


def main(reference_dir, out_dir):
    sys.path.insert(0, reference_dir)
    from model import Discriminator, Generator
    torch.manual_seed(0)
    a = ARCH
    G = Generator(a["conv_dim"], a["c_dim"], a["g_repeat"])
    D = Discriminator(a["image_size"], a["conv_dim"], a["c_dim"], a["d_repeat"])
    # Give the affine instance-norm parameters non-trivial values, so a wrong mapping shows.
    with torch.no_grad():
        for name, p in G.named_parameters():
            if p.dim() == 1:
                p.copy_(torch.randn_like(p) * 0.3 + (1.0 if name.endswith("weight") else 0.0))
    torch.save(G.state_dict(), os.path.join(out_dir, "1000-G.ckpt"))
    torch.save(D.state_dict(), os.path.join(out_dir, "1000-D.ckpt"))

    n, s, c = a["batch"], a["image_size"], a["c_dim"]
    x = torch.rand(n, 3, s, s) * 2 - 1
    c_org = (torch.rand(n, c) > 0.5).float()
    c_trg = c_org[torch.tensor([2, 0, 3, 1])]
    alpha = torch.rand(n, 1, 1, 1)

    def bce(logit, target):  # solver.classification_loss
        return F.binary_cross_entropy_with_logits(logit, target, reduction="sum") / logit.size(0)

    # D loss, as solver.train (D update part).
    out_src, out_cls = D(x)
    d_loss_real, d_loss_cls = -torch.mean(out_src), bce(out_cls, c_org)
    x_fake = G(x, c_trg)
    out_src_fake, _ = D(x_fake.detach())
    d_loss_fake = torch.mean(out_src_fake)
    x_hat = (alpha * x + (1 - alpha) * x_fake.detach()).requires_grad_(True)
    src_hat, _ = D(x_hat)
    grad = torch.autograd.grad(src_hat, x_hat, torch.ones_like(src_hat), retain_graph=True, create_graph=True)[0]
    d_loss_gp = torch.mean((grad.view(n, -1).norm(2, dim=1) - 1) ** 2)
    d_loss = d_loss_real + d_loss_fake + LAMBDA_CLS * d_loss_cls + LAMBDA_GP * d_loss_gp
    # G loss with the same D (no update in between here), as solver.train (G update part).
    g_src, g_cls = D(x_fake)
    x_rec = G(x_fake, c_org)
    g_loss = -torch.mean(g_src) + LAMBDA_REC * torch.mean(torch.abs(x - x_rec)) + LAMBDA_CLS * bce(g_cls, c_trg)

    nhwc = lambda t: t.detach().permute(0, 2, 3, 1).numpy()
    np.savez(os.path.join(out_dir, "io.npz"), x=nhwc(x), c_org=c_org.numpy(), c_trg=c_trg.numpy(),
             alpha=alpha.numpy().reshape(n, 1, 1, 1), x_fake=nhwc(x_fake), d_src=nhwc(out_src),
             d_cls=out_cls.detach().numpy(), d_loss=d_loss.item(), g_loss=g_loss.item(),
             d_loss_gp=d_loss_gp.item())
    with open(os.path.join(out_dir, "arch.json"), "w") as f:
        json.dump(dict(a, torch=torch.__version__), f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
