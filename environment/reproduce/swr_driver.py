"""Train a Scenario-Wise-Rec reference model on the train/valid/test rows our library exported.

Scenario-Wise-Rec (https://github.com/Xiaopengli1/Scenario-Wise-Rec, MIT) is an independent PyTorch
implementation of STAR, PLE, AdaSparse, EPNet, PPNet, Shared-Bottom, MMoE, SAR-Net, M2M, AdaptDHM, HAMUR and M3oE. This driver imports it at run time (it is never
copied into this repository), builds its features, models, DataLoaders and CTRTrainer on our exported
split, and writes one JSON result. See README.md beside this file for the export format, how each model
is configured to match ours and which of the reference's quirks the driver neutralises.

Usage:
  /usr/bin/python3 environment/reproduce/swr_driver.py \
      --reference ../shared/reference/scenario-wise-rec --data DIR --model star \
      --seed 1 --epochs 10 --patience 2 --batch-size 512 --lr 1e-3 --emb 16 --hidden 128,64,32 \
      --threads 2 --out star-1.json

DIR holds meta.json, train.csv, valid.csv and test.csv. The result goes to --out and, as one line, to
stdout; everything else (the reference's own prints, warnings) goes to stderr. Errors exit with status 2
and one line on stderr naming the file at fault.
"""
import argparse
import contextlib
import functools
import json
import os
import platform
import re
import sys
import tempfile
import time

EXPECTED_COMMIT = "167ea862b52371c2333e8656652a54219d4457b2"
MODELS = ("star", "ple", "adasparse", "epnet", "ppnet", "sharedbottom", "mmoe", "sarnet", "m2m", "adaptdhm", "hamur", "m3oe")


class DriverError(Exception):
    """A problem with the inputs: reported as one line on stderr."""


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reference", required=True, help="folder holding the scenario_wise_rec package")
    p.add_argument("--data", required=True, help="export folder: meta.json, train.csv, valid.csv, test.csv")
    p.add_argument("--model", required=True, choices=MODELS)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--patience", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=512)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--emb", type=int, default=16)
    p.add_argument("--hidden", default="128,64,32", help="backbone hidden sizes, comma-separated")
    p.add_argument("--emb-std", type=float, default=1.0,
                   help="std of the embedding init (ours: 1.0; the reference's SparseFeature default: 1e-4)")
    p.add_argument("--repair-epnet", action="store_true",
                   help="give EPNet the hidden layers --hidden (the reference builds it without any; see README)")
    p.add_argument("--m2m-per-sample", action="store_true",
                   help="diagnostic: run M2M's transformer on each sample alone (a one-token sequence; the reference reads "
                        "the whole batch as one sequence, so its samples attend to each other)")
    p.add_argument("--no-batchnorm", action="store_true",
                   help="diagnostic: replace every BatchNorm1d of the built model by the identity (ours has none)")
    p.add_argument("--no-layernorm", action="store_true",
                   help="diagnostic: replace every LayerNorm of the built model by the identity (M3oE's blocks; ours has none)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="cpu")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    try:
        args.hidden = [int(h) for h in args.hidden.split(",")]
    except ValueError:
        p.error(f"--hidden must be comma-separated integers; got {args.hidden!r}")
    if min(args.hidden) < 1 or min(args.epochs, args.patience, args.batch_size, args.emb, args.threads) < 1:
        p.error("--hidden sizes, --epochs, --patience, --batch-size, --emb and --threads must be >= 1")
    for flag, model in (("repair_epnet", "epnet"), ("m2m_per_sample", "m2m")):
        if getattr(args, flag) and args.model != model:
            p.error(f"--{flag.replace('_', '-')} applies to --model {model} only; got --model {args.model}")
    return args


# ---------------------------------------------------------------- the export

def load_export(data_dir):
    """meta (dict) and the three parts (DataFrames), checked against meta."""
    import pandas as pd
    meta_path = os.path.join(data_dir, "meta.json")
    try:
        with open(meta_path) as f:
            meta = json.load(f)
        fields, numeric, scenarios = meta["fields"], meta["numeric"], meta["scenarios"]
        domain, label = meta["domain"], meta["label"]
        names = [fd["name"] for fd in fields]
        for fd in fields:
            fd["vocab"], fd["aware"] = int(fd["vocab"]), bool(fd["aware"])
    except OSError as e:
        raise DriverError(f"{meta_path}: cannot read ({e.strerror})")
    except (ValueError, KeyError, TypeError) as e:
        raise DriverError(f"{meta_path}: bad meta ({type(e).__name__}: {e})")
    if domain != "domain_indicator":
        raise DriverError(f"{meta_path}: 'domain' must be 'domain_indicator' (the column the reference reads); got {domain!r}")
    if not fields or not fields[0]["aware"] or not scenarios:
        raise DriverError(f"{meta_path}: needs scenarios and a scenario-aware field 0 (the scenario field)")
    columns = names + list(numeric) + [domain, label]
    if len(set(columns)) != len(columns):
        raise DriverError(f"{meta_path}: field, numeric, domain and label names must be distinct")
    parts = {}
    for part in ("train", "valid", "test"):
        path = os.path.join(data_dir, f"{part}.csv")
        try:
            df = pd.read_csv(path, usecols=columns)
        except FileNotFoundError:
            raise DriverError(f"{path}: missing")
        except ValueError as e:  # a missing column
            raise DriverError(f"{path}: {e}")
        for fd in fields:
            col = df[fd["name"]]
            if col.isna().any() or col.min() < 0 or col.max() >= fd["vocab"]:
                raise DriverError(f"{path}: column {fd['name']} needs ids in 0..{fd['vocab'] - 1}")
        if df[domain].isna().any() or not df[domain].between(0, len(scenarios) - 1).all():
            raise DriverError(f"{path}: {domain} needs values in 0..{len(scenarios) - 1}")
        if not df[label].isin([0, 1]).all():
            raise DriverError(f"{path}: {label} needs 0/1 values")
        if df[list(numeric)].isna().any().any():
            raise DriverError(f"{path}: numeric columns hold missing values")
        if len(df) < 2:
            raise DriverError(f"{path}: needs at least 2 rows")
        parts[part] = df
    return meta, parts


def make_loader(df, meta, batch_size, generator=None, drop_last=False, zero_columns=()):
    """The reference's TorchDataset over one part (utils/data.py), in a plain DataLoader; zero_columns are extra
    dense columns holding 0 (M2M's padding, see m2m_padding)."""
    import numpy as np
    from torch.utils.data import DataLoader
    from scenario_wise_rec.utils.data import TorchDataset
    x = {fd["name"]: df[fd["name"]].to_numpy(np.int64) for fd in meta["fields"]}
    x.update({n: df[n].to_numpy(np.float32) for n in meta["numeric"]})
    x.update({n: np.zeros(len(df), np.float32) for n in zero_columns})
    x["domain_indicator"] = df["domain_indicator"].to_numpy(np.int64)  # read by Star, PLE, PPNet and the evaluation
    y = df[meta["label"]].to_numpy(np.int64)
    return DataLoader(TorchDataset(x, y), batch_size=batch_size, shuffle=generator is not None,
                      generator=generator, drop_last=drop_last, num_workers=0)


def eval_batch_size(rows, batch_size):
    """batch_size, or the next size that does not leave a last batch of one row: AdaSparse and EPNet end in
    .squeeze(), which turns a one-row batch into a scalar the evaluation cannot index."""
    while rows % batch_size == 1:
        batch_size += 1
    return batch_size


# ---------------------------------------------------------------- the models

def m2m_padding(args, meta):
    """Names of the constant-zero dense columns M2M needs: m2m.py:21 builds nn.Transformer(d_model=input_dim, nhead=4),
    which requires the input width (emb x fields + numeric columns) to be a multiple of 4; zeros carry no information."""
    if args.model != "m2m":
        return []
    width = args.emb * len(meta["fields"]) + len(meta["numeric"])
    taken = {fd["name"] for fd in meta["fields"]} | set(meta["numeric"]) | {"domain_indicator", meta["label"]}
    names, k = [], 0
    while len(names) < -width % 4:
        if f"m2m_zero_{k}" not in taken:
            names.append(f"m2m_zero_{k}")
        k += 1
    return names


def build_model(args, meta, delta_alpha, zero_columns=()):
    """The reference model configured like ours; returns (model, constructor arguments, change after construction)."""
    from scenario_wise_rec.basic.features import DenseFeature, SparseFeature
    from scenario_wise_rec.basic.initializers import RandomNormal
    from scenario_wise_rec.basic.layers import MLP
    from scenario_wise_rec.models.multi_domain import (M2M, MMOE, PLE, AdaptDHM, AdaSparse, EPNet, HamurSmall, M3oE, PPNet, Sarnet,
                                                       SharedBottom, Star)

    def sparse(fd):
        return SparseFeature(fd["name"], vocab_size=fd["vocab"], embed_dim=args.emb,
                             initializer=RandomNormal(0.0, args.emb_std))
    aware = [sparse(fd) for fd in meta["fields"] if fd["aware"]]       # e_aw (field 0 is the scenario)
    agnostic = [sparse(fd) for fd in meta["fields"] if not fd["aware"]]  # e_ag
    dense = [DenseFeature(n) for n in meta["numeric"]]
    S, hidden = len(meta["scenarios"]), list(args.hidden)
    if args.model in ("adasparse", "epnet", "ppnet") and not agnostic + dense:
        raise DriverError(f"{os.path.join(args.data, 'meta.json')}: {args.model} needs a scenario-agnostic field or a numeric column")

    if args.model == "star":  # models/multi_domain/star.py; ours: lib/Models/Baselines/StarModel.cs
        kw = dict(features=agnostic + aware + dense, num_domains=S, fcn_dims=hidden, aux_dims=[32])
        return Star(**kw), kw, None
    if args.model == "ple":  # models/multi_domain/ple.py; ours: PleModel.cs
        # Ours: one CGC level per ExpertSizes entry (hidden[:-1], each expert one Linear+ReLU), towers hidden[-1:].
        # The reference gives every level the same expert MLP, so every level gets our first level's width.
        levels = hidden[:-1] or hidden
        kw = dict(features=agnostic + aware + dense, domain_num=S, n_level=len(levels),
                  n_expert_specific=1, n_expert_shared=1,
                  expert_params={"dims": [levels[0]], "activation": "relu", "dropout": 0.0},
                  tower_params={"dims": hidden[-1:] if len(hidden) > 1 else [], "activation": "relu", "dropout": 0.0})
        return PLE(**kw), kw, None
    if args.model == "sharedbottom":  # models/multi_domain/sharebottom.py; ours: SharedBottomModel.cs
        # Ours: bottom hidden[:-1] (128, 64), one tower hidden[-1:] (32) -> 1 per scenario.
        kw = dict(features=agnostic + aware + dense, domain_num=S,
                  bottom_params={"dims": hidden[:-1] or hidden, "activation": "relu", "dropout": 0.0},
                  tower_params={"dims": hidden[-1:] if len(hidden) > 1 else [], "activation": "relu", "dropout": 0.0})
        return SharedBottom(**kw), kw, None
    if args.model == "mmoe":  # models/multi_domain/mmoe.py; ours: MmoeModel.cs
        # Ours: one expert per scenario (n = S, as the reference's scripts), experts hidden[:-1], towers hidden[-1:].
        kw = dict(features=agnostic + aware + dense, domain_num=S, n_expert=S,
                  expert_params={"dims": hidden[:-1] or hidden, "activation": "relu", "dropout": 0.0},
                  tower_params={"dims": hidden[-1:] if len(hidden) > 1 else [], "activation": "relu", "dropout": 0.0})
        return MMOE(**kw), kw, None
    if args.model == "sarnet":  # models/multi_domain/sarnet.py; ours: SarNetModel.cs
        # Ours: 8 shared and 2 per-scenario experts (these defaults). The reference fixes its experts at
        # BatchNorm + Linear(input, 16) and its tower at 16 -> 32 -> 32 -> 1 (sarnet.py:16,52): not configurable.
        kw = dict(features=agnostic + aware + dense, domain_num=S, domain_shared_expert_num=8, domain_specific_expert_num=2)
        return Sarnet(**kw), kw, None
    if args.model == "m2m":  # models/multi_domain/m2m.py; ours: M2mModel.cs
        import torch.nn as nn

        class PerSampleTransformer(nn.Module):
            """An nn.Transformer (sequence-first) that reads a [batch, width] input as `batch` one-token sequences."""

            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, src, tgt):
                return self.inner(src.unsqueeze(0), tgt.unsqueeze(0)).squeeze(0)
        # Ours: 4 experts whose last width (hidden[-2], 64) is the meta width; encoder 2 layers, 4 heads, feed-forward 16.
        # The reference's experts are one layer of expert_output_size, its output MLP fixed at 64 -> 32 -> 1 (m2m.py:40).
        pad = [DenseFeature(n) for n in zero_columns]
        kw = dict(features=agnostic + aware + dense + pad, domain_feature=aware[:1], domain_num=S, num_experts=4,
                  expert_output_size=hidden[-2] if len(hidden) > 1 else hidden[0],
                  transformer_dims={"num_encoder_layers": 2, "num_decoder_layers": 2, "dim_feedforward": 16})
        changes = [f"{len(pad)} constant-zero dense column(s) appended so that the input width is a multiple of nhead = 4"] if pad else []
        model = M2M(**kw)
        if args.m2m_per_sample:
            # m2m.py:48 hands the [batch, width] embedding to nn.Transformer, which reads it as ONE unbatched sequence of
            # `batch` tokens. As [1, batch, width] (sequence-first) it is `batch` sequences of one token each: the same
            # parameters, and no sample sees another.
            model.transformer = PerSampleTransformer(model.transformer)
            changes.append("transformer = PerSampleTransformer(transformer): each sample a one-token sequence")
        return model, kw, "; ".join(changes) or None
    if args.model == "hamur":  # models/multi_domain/hamur.py HamurSmall (what the reference's scripts build); ours: HamurModel.cs
        # HamurSmall has exactly two hidden layers with one adapter cell after the second (hamur.py:262-271, 344-367):
        # it gets our first two widths (128, 64); ours is 128-64-32 with a cell after each. Bottleneck 32 is fixed there
        # (hamur.py:282,301) and is ours; k = 32 and hyper_dims = [64] as our defaults (the scripts: k = 35).
        if len(hidden) < 2:
            raise DriverError("--hidden: hamur needs at least two hidden sizes (the reference's HamurSmall has two layers)")
        kw = dict(features=agnostic + aware + dense, domain_num=S, fcn_dims=hidden[:2], hyper_dims=[64], k=32)
        # The constructor appends k*k to hyper_dims in place (hamur.py:288): give it a copy so kw records what was asked.
        return HamurSmall(**{**kw, "hyper_dims": list(kw["hyper_dims"])}), kw, None
    if args.model == "adaptdhm":  # models/multi_domain/adaptdhm.py; ours: lib/Models/Baselines/AdaptDhmModel.cs
        # Ours: K = 3 clusters, beta = 0.9, 3 routing iterations, hard routing, W^shared ⊙ W^(k) on every layer of
        # d_in -> hidden -> 1 (Structure = Star), as the reference's scripts (cluster_num=3, beta=0.9, fcn_dims = hidden).
        # Its centres are a plain tensor attribute: not in the state dict, so the best epoch's weights are tested with
        # the centres of the last epoch.
        kw = dict(features=agnostic + aware + dense, fcn_dims=hidden, cluster_num=3, beta=0.9, device=args.device)
        return AdaptDHM(**kw), kw, None
    if args.model == "m3oe":  # models/multi_domain/m3oe.py; ours: lib/Models/Baselines/M3oeModel.cs
        # Its first two layers are a STAR layer (+ a skip connection), its experts take the rest, and fcn_dims[1] must
        # be repeated (the experts start at fcn_dims[2]): hidden 128,64,32 -> fcn_dims 128,64,64,32 keeps ours' depth
        # d_in -> 128 -> 64 -> 32 -> 1. expert_num 4 and the balance weights' init 1 as ours (and its scripts).
        if len(hidden) < 3:
            raise DriverError("m3oe needs at least three --hidden sizes (the reference's STAR bottom takes two)")
        kw = dict(features=agnostic + aware + dense, domain_num=S, fcn_dims=hidden[:2] + hidden[1:], expert_num=4,
                  exp_d=1, exp_t=1, bal_d=1, bal_t=1, device=args.device)
        return M3oE(**kw), kw, None
    if args.model == "adasparse":  # models/multi_domain/adasparse.py; ours: AdaSparseModel.cs
        # Ours: Fusion, eps 1e-2, beta 2, alpha = 1 + epoch. Theirs adds delta_alpha at every forward call
        # (training and evaluation), so delta_alpha = 1 / (train + valid batches) grows alpha by 1 per epoch.
        kw = dict(sce_features=aware, agn_features=agnostic + dense,
                  mlp_params={"dims": hidden, "activation": "relu", "dropout": 0.0},
                  form="Fusion", epsilon=1e-2, beta=2.0, alpha=1.0, delta_alpha=delta_alpha)
        return AdaSparse(**kw), kw, None
    if args.model == "epnet":  # models/multi_domain/epnet.py; ours: PepNetModel.cs with UsePpNet = false
        kw = dict(sce_features=aware, agn_features=agnostic + dense, fcn_dims=hidden)
        model = EPNet(**kw)
        if not args.repair_epnet:
            return model, kw, None
        # epnet.py:21 calls MLP(agn_dims, fcn_dims): fcn_dims lands in MLP's output_layer argument, so the
        # reference EPNet is a single Linear(agn_dims, 1). The repair builds the MLP it evidently meant.
        model.mlp = MLP(model.agn_dims, dims=hidden)
        return model, kw, f"mlp = MLP({model.agn_dims}, dims={hidden})"
    # models/multi_domain/ppnet.py; ours: PepNetModel.cs with UseEpNet = false (prior = e_aw, so id_features = aware)
    kw = dict(id_features=aware, agn_features=agnostic + dense, domain_num=S, fcn_dims=hidden)
    return PPNet(**kw), kw, None


def remove_norms(model, kind):
    """Replaces every module of class `kind` (nn.BatchNorm1d, nn.LayerNorm) by the identity; returns the names of the
    replaced modules. A diagnostic: the reference's MLP block puts a BatchNorm after every linear layer (layers.py:255)
    and M3oE's blocks a LayerNorm (m3oe.py:59-61,129); ours has neither, and this tells how much of a difference
    between the two comes from that alone."""
    import torch.nn as nn
    replaced = []
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, kind):
                setattr(module, child_name, nn.Identity())
                replaced.append(f"{name}.{child_name}" if name else child_name)
    return replaced


def describe(value):
    """Constructor arguments as JSON: features by name, vocabulary and width."""
    if isinstance(value, list):
        return [describe(v) for v in value]
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    if hasattr(value, "embed_dim"):
        kind = type(value).__name__
        return f"{kind}({value.name}, vocab={value.vocab_size}, dim={value.embed_dim})" if hasattr(value, "vocab_size") \
            else f"{kind}({value.name})"
    return value


# ---------------------------------------------------------------- training

def best_state_stopper(base, patience, model):
    """basic/callback.py's EarlyStopper, also counting epochs and keeping the best epoch's AdaSparse alpha
    (a plain tensor attribute there, so not part of the state dict the stopper saves)."""
    class BestStateStopper(base):
        def __init__(self):
            super().__init__(patience)
            self.epochs, self.best_epoch, self.best_alpha, self.valid_aucs = 0, 0, None, []

        def stop_training(self, val_auc, weights):
            self.epochs += 1
            self.valid_aucs.append(val_auc)
            if val_auc > self.best_auc:
                self.best_epoch = self.epochs
                self.best_alpha = float(model.alpha) if hasattr(model, "alpha") else None
            return super().stop_training(val_auc, weights)
    return BestStateStopper()


def auc_or_none(y_true, y_pred):
    """roc_auc_score, or None for a part with one class (sklearn raises)."""
    from sklearn.metrics import roc_auc_score
    try:
        return float(roc_auc_score(y_true, y_pred))
    except ValueError:
        return None


def run(args):
    for path in (args.reference, os.path.join(args.reference, "scenario_wise_rec")):
        if not os.path.isdir(path):
            raise DriverError(f"{path}: not a folder (--reference must hold the scenario_wise_rec package)")
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.abspath(args.reference))
    import torch
    import tqdm
    tqdm.tqdm.__init__ = functools.partialmethod(tqdm.tqdm.__init__, disable=True)  # no progress bars
    from sklearn.metrics import log_loss
    from scenario_wise_rec.basic.callback import EarlyStopper
    from scenario_wise_rec.trainers import ctr_trainer
    # One-class parts: log_loss raises unless it is told the labels (same value otherwise).
    ctr_trainer.log_loss = functools.partial(log_loss, labels=[0, 1])

    meta, parts = load_export(args.data)
    S, B = len(meta["scenarios"]), args.batch_size
    torch.set_num_threads(args.threads)
    drop_last = len(parts["train"]) % B == 1  # a one-row batch breaks BatchNorm in training
    zeros = m2m_padding(args, meta)
    train = make_loader(parts["train"], meta, B, torch.Generator().manual_seed(args.seed), drop_last, zeros)
    valid = make_loader(parts["valid"], meta, eval_batch_size(len(parts["valid"]), B), zero_columns=zeros)
    test = make_loader(parts["test"], meta, eval_batch_size(len(parts["test"]), B), zero_columns=zeros)

    torch.manual_seed(args.seed)
    model, kwargs, repair = build_model(args, meta, delta_alpha=1.0 / (len(train) + len(valid)), zero_columns=zeros)
    for wanted, kind in ((args.no_batchnorm, torch.nn.BatchNorm1d), (args.no_layernorm, torch.nn.LayerNorm)):
        if wanted:
            removed = remove_norms(model, kind)
            repair = "; ".join(filter(None, [repair, f"{kind.__name__} replaced by the identity: {', '.join(removed) or 'none found'}"]))
    with tempfile.TemporaryDirectory() as save_dir:  # fit() always writes a .pth there
        trainer = ctr_trainer.CTRTrainer(model, meta["name"], optimizer_fn=torch.optim.Adam,
                                         optimizer_params={"lr": args.lr, "weight_decay": 0.0},
                                         scheduler_fn=None, n_epoch=args.epochs, earlystop_patience=args.patience,
                                         device=args.device, model_path=save_dir)
        trainer.early_stopper = stopper = best_state_stopper(EarlyStopper, args.patience, model)
        start = time.perf_counter()
        trainer.fit(train, valid)
        train_seconds = time.perf_counter() - start
    # fit() restores the best weights only when early stopping fires; our protocol always tests them.
    if stopper.best_weights is not None:
        model.load_state_dict(stopper.best_weights)
    if stopper.best_alpha is not None:
        model.alpha.fill_(stopper.best_alpha)
    trainer.evaluate_fn = auc_or_none
    domain_logloss, domain_auc, logloss, auc = trainer.evaluate_multi_domain_loss(model, test, S)

    counts = parts["test"]["domain_indicator"].value_counts()
    settings = {
        "constructor": type(model).__name__,
        "arguments": describe(kwargs),
        "changed_after_construction": repair,
        "embedding_init": f"RandomNormal(0, {args.emb_std})",
        "trainer": {"optimizer": "torch.optim.Adam", "lr": args.lr, "weight_decay": 0.0, "scheduler": None,
                    "n_epoch": args.epochs, "earlystop_patience": args.patience, "device": args.device,
                    "loss": "BCELoss on sigmoid outputs", "best_weights_restored_after_fit": True,
                    "best_alpha_restored": stopper.best_alpha},
        "data": {"train_rows": len(parts["train"]), "valid_rows": len(parts["valid"]), "test_rows": len(parts["test"]),
                 "batch_size": B, "train_shuffle_seed": args.seed, "train_drop_last": drop_last,
                 "valid_batch_size": valid.batch_size, "test_batch_size": test.batch_size},
        "threads": args.threads,
        "valid_auc_per_epoch": stopper.valid_aucs,
    }
    return {
        "implementation": "scenario-wise-rec", "model": args.model, "seed": args.seed,
        "test_auc": auc, "test_logloss": logloss, "valid_auc": stopper.best_auc,
        "epochs": stopper.epochs, "best_epoch": stopper.best_epoch, "train_seconds": round(train_seconds, 3),
        "per_scenario": [{"scenario": d, "name": meta["scenarios"][d], "rows": int(counts.get(d, 0)),
                          "auc": domain_auc[d], "logloss": domain_logloss[d]} for d in range(S)],
        "settings": settings,
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "reference_commit": reference_commit(args.reference)},
    }


def reference_commit(reference):
    """The commit SOURCE.md names (warns when it is not the one this driver was written against)."""
    try:
        with open(os.path.join(reference, "SOURCE.md")) as f:
            found = re.findall(r"\b[0-9a-f]{40}\b", f.read())
    except OSError:
        found = []
    if EXPECTED_COMMIT not in found:
        print(f"swr_driver: warning: {reference}/SOURCE.md does not name commit {EXPECTED_COMMIT}", file=sys.stderr)
        return found[0] if found else None
    return EXPECTED_COMMIT


def main(argv=None):
    args = parse_args(argv)
    try:
        with contextlib.redirect_stdout(sys.stderr):  # the reference prints its progress
            result = run(args)
    except DriverError as e:
        print(f"swr_driver: {e}", file=sys.stderr)
        return 2
    line = json.dumps(result)
    try:
        with open(args.out, "w") as f:
            f.write(line + "\n")
    except OSError as e:
        print(f"swr_driver: {args.out}: cannot write ({e.strerror})", file=sys.stderr)
        return 2
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
