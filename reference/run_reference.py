"""Run the PyTorch reference model (its own model.py) on fixed inputs, for the parity test.

Runs in the torch venv, not under TensorFlow. Writes G.ckpt and D.ckpt (state_dicts saved with
torch.save, as the reference's solver does) and io.npz: the inputs, G's output, D's two heads and
the D and G losses of one batch computed exactly as the reference's solver.py computes them.

Usage: python reference/run_reference.py REFERENCE_DIR OUT_DIR
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

ARCH = dict(image_size=32, conv_dim=8, c_dim=3, g_repeat=2, d_repeat=3, batch=4)
LAMBDA_CLS, LAMBDA_REC, LAMBDA_GP = 1.0, 10.0, 10.0


def solver_losses(G, D, x, c_org, c_trg, alpha, label_org, label_trg, cls_loss):
    """One batch's D and G losses as solver.train / train_multi compute them (with the same D for both, no update
    between): c_* are what G reads, label_* what the classification loss `cls_loss` compares D's outputs with."""
    n = x.size(0)
    out_src, out_cls = D(x)
    d_loss_real, d_loss_cls = -torch.mean(out_src), cls_loss(out_cls, label_org)
    x_fake = G(x, c_trg)
    d_loss_fake = torch.mean(D(x_fake.detach())[0])
    x_hat = (alpha * x + (1 - alpha) * x_fake.detach()).requires_grad_(True)
    src_hat, _ = D(x_hat)
    grad = torch.autograd.grad(src_hat, x_hat, torch.ones_like(src_hat), retain_graph=True, create_graph=True)[0]
    d_loss_gp = torch.mean((grad.view(n, -1).norm(2, dim=1) - 1) ** 2)
    d_loss = d_loss_real + d_loss_fake + LAMBDA_CLS * d_loss_cls + LAMBDA_GP * d_loss_gp
    g_src, g_cls = D(x_fake)
    x_rec = G(x_fake, c_org)
    g_loss_cls = cls_loss(g_cls, label_trg)
    g_loss = -torch.mean(g_src) + LAMBDA_REC * torch.mean(torch.abs(x - x_rec)) + LAMBDA_CLS * g_loss_cls
    return dict(out_src=out_src, out_cls=out_cls, x_fake=x_fake, d_loss=d_loss, g_loss=g_loss, d_loss_gp=d_loss_gp,
                d_loss_cls=d_loss_cls, g_loss_cls=g_loss_cls)


def main(reference_dir, out_dir):
    sys.path.insert(0, reference_dir)
    from model import Discriminator, Generator
    torch.manual_seed(0)
    a = ARCH
    G = Generator(a["conv_dim"], a["c_dim"], a["g_repeat"])
    D = Discriminator(a["image_size"], a["conv_dim"], a["c_dim"], a["d_repeat"])
    _save_with_norms_set(G, D, out_dir, "1000")

    n, s, c = a["batch"], a["image_size"], a["c_dim"]
    x = torch.rand(n, 3, s, s) * 2 - 1
    c_org = (torch.rand(n, c) > 0.5).float()
    c_trg = c_org[torch.tensor([2, 0, 3, 1])]
    alpha = torch.rand(n, 1, 1, 1)

    def bce(logit, target):  # solver.classification_loss
        return F.binary_cross_entropy_with_logits(logit, target, reduction="sum") / logit.size(0)

    r = solver_losses(G, D, x, c_org, c_trg, alpha, c_org, c_trg, bce)
    out_src, out_cls, x_fake, d_loss, g_loss, d_loss_gp = (r[k] for k in (
        "out_src", "out_cls", "x_fake", "d_loss", "g_loss", "d_loss_gp"))

    nhwc = lambda t: t.detach().permute(0, 2, 3, 1).numpy()
    np.savez(os.path.join(out_dir, "io.npz"), x=nhwc(x), c_org=c_org.numpy(), c_trg=c_trg.numpy(),
             alpha=alpha.numpy().reshape(n, 1, 1, 1), x_fake=nhwc(x_fake), d_src=nhwc(out_src),
             d_cls=out_cls.detach().numpy(), d_loss=d_loss.item(), g_loss=g_loss.item(),
             d_loss_gp=d_loss_gp.item())
    joint(Generator, Discriminator, out_dir, nhwc)
    with open(os.path.join(out_dir, "arch.json"), "w") as f:
        json.dump(dict(a, c2_dim=JOINT_C2, torch=torch.__version__), f)


def _save_with_norms_set(G, D, out_dir, stem):
    """Give G's affine instance-norm parameters non-trivial values, so a wrong mapping shows, then write
    <stem>-G.ckpt and <stem>-D.ckpt as the reference's solver names them."""
    with torch.no_grad():
        for name, p in G.named_parameters():
            if p.dim() == 1:
                p.copy_(torch.randn_like(p) * 0.3 + (1.0 if name.endswith("weight") else 0.0))
    torch.save(G.state_dict(), os.path.join(out_dir, stem + "-G.ckpt"))
    torch.save(D.state_dict(), os.path.join(out_dir, stem + "-D.ckpt"))


JOINT_C2 = 4


def joint(Generator, Discriminator, out_dir, nhwc):
    """The reference's --dataset Both model and solver.train_multi's losses, for one batch of each dataset.

    Writes joint-G.ckpt, joint-D.ckpt and joint.npz: per dataset ("celeba", "rafd") the inputs, the
    label rows as train_multi builds them ([c_celeba, c_rafd, mask]) and the D and G losses.
    """
    torch.manual_seed(1)
    a = ARCH
    c, c2, n, s = a["c_dim"], JOINT_C2, a["batch"], a["image_size"]
    G = Generator(a["conv_dim"], c + c2 + 2, a["g_repeat"])  # solver.build_model: 2 for the mask vector
    D = Discriminator(s, a["conv_dim"], c + c2, a["d_repeat"])
    _save_with_norms_set(G, D, out_dir, "joint")

    def onehot(index, dim):  # solver.label2onehot
        out = torch.zeros(index.size(0), dim)
        out[np.arange(index.size(0)), index.long()] = 1
        return out

    # The paper's joint model at full size: G reads 3 + 5 + 8 + 2 channels, D classifies 5 + 8.
    full_g, full_d = Generator(64, 5 + 8 + 2, 6), Discriminator(128, 64, 5 + 8, 6)
    saved = {"full_params_G": sum(p.numel() for p in full_g.parameters()),
             "full_params_D": sum(p.numel() for p in full_d.parameters()),
             "full_G_in_channels": full_g.main[0].weight.shape[1], "full_D_cls_outputs": full_d.conv2.weight.shape[0]}
    for dataset in ("celeba", "rafd"):
        x = torch.rand(n, 3, s, s) * 2 - 1
        if dataset == "celeba":
            label_org = (torch.rand(n, c) > 0.5).float()
        else:
            label_org = torch.tensor([0, 3, 1, 2])[:n]
        label_trg = label_org[torch.tensor([2, 0, 3, 1])]
        if dataset == "celeba":  # train_multi's label rows
            zero, mask = torch.zeros(n, c2), onehot(torch.zeros(n), 2)
            c_org, c_trg = torch.cat([label_org, zero, mask], 1), torch.cat([label_trg, zero, mask], 1)
        else:
            zero, mask = torch.zeros(n, c), onehot(torch.ones(n), 2)
            c_org = torch.cat([zero, onehot(label_org, c2), mask], 1)
            c_trg = torch.cat([zero, onehot(label_trg, c2), mask], 1)

        def cls_loss(logit, target):  # solver.classification_loss on this dataset's slice
            if dataset == "celeba":
                return F.binary_cross_entropy_with_logits(logit[:, :c], target, reduction="sum") / logit.size(0)
            return F.cross_entropy(logit[:, c:], target)

        alpha = torch.rand(n, 1, 1, 1)
        r = solver_losses(G, D, x, c_org, c_trg, alpha, label_org, label_trg, cls_loss)
        out_cls, x_fake, d_loss, g_loss, d_loss_cls, g_loss_cls = (r[k] for k in (
            "out_cls", "x_fake", "d_loss", "g_loss", "d_loss_cls", "g_loss_cls"))
        saved.update({dataset + "_" + k: v for k, v in dict(
            x=nhwc(x), c_org=c_org.numpy(), c_trg=c_trg.numpy(), alpha=alpha.numpy().reshape(n, 1, 1, 1),
            x_fake=nhwc(x_fake), d_cls=out_cls.detach().numpy(), d_loss=d_loss.item(), g_loss=g_loss.item(),
            d_loss_cls=d_loss_cls.item(), g_loss_cls=g_loss_cls.item()).items()})
    np.savez(os.path.join(out_dir, "joint.npz"), **saved)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
