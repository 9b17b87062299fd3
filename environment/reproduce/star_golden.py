"""Golden check of our STAR in Scenario-Wise-Rec's flavour (lib/Models/Baselines/ScenarioWiseRecStar.cs) against the
reference's own Star (scenario_wise_rec/models/multi_domain/star.py), on the same weights and the same batch.

    /usr/bin/python3 environment/reproduce/star_golden.py --reference PATH_TO_scenario-wise-rec DIR

DIR, written by the caller (tests/Baselines/ScenarioWiseRecStarTests.cs):
  meta.json        {"input_dim": d, "hidden": [...], "aux": [...], "scenarios": S}
  params/NAME.npy  float32, the reference's state-dict names (parameters only; BatchNorm buffers keep their defaults)
  batch/h1.npy     float32 [B, d], the network's input (all embeddings); batch/domain.npy int64 [B]; batch/y.npy float32 [B]
The input is fed as d dense features, so the reference's embedding layer passes h1 through unchanged. Writes DIR/peer/:
train_probs.npy (training mode: batch statistics), loss.json (BCE), grads/NAME.npy, eval_probs.npy (evaluation mode,
after the one training pass has updated the running statistics).
"""
import argparse, json, os, sys
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--reference', required=True)
    ap.add_argument('dir')
    a = ap.parse_args()
    sys.path.insert(0, a.reference)
    import torch
    from scenario_wise_rec.basic.features import DenseFeature
    from scenario_wise_rec.models.multi_domain import Star
    torch.set_num_threads(1)
    d = a.dir
    meta = json.load(open(os.path.join(d, 'meta.json')))
    features = [DenseFeature(f'f{i}') for i in range(meta['input_dim'])]
    model = Star(features, meta['scenarios'], fcn_dims=list(meta['hidden']), aux_dims=list(meta['aux']))
    state = model.state_dict()
    for name, p in model.named_parameters():
        f = os.path.join(d, 'params', name + '.npy')
        if not os.path.exists(f):
            sys.exit(f'missing parameter file params/{name}.npy (shape {list(p.shape)})')
        value = np.load(f)
        if list(value.shape) != list(p.shape):
            sys.exit(f'params/{name}.npy has shape {list(value.shape)}, expected {list(p.shape)}')
        state[name] = torch.from_numpy(value)
    model.load_state_dict(state)
    h1 = torch.from_numpy(np.load(os.path.join(d, 'batch', 'h1.npy')))
    x = {f'f{i}': h1[:, i] for i in range(h1.shape[1])}
    x['domain_indicator'] = torch.from_numpy(np.load(os.path.join(d, 'batch', 'domain.npy')))
    y = torch.from_numpy(np.load(os.path.join(d, 'batch', 'y.npy')))
    out = os.path.join(d, 'peer')
    os.makedirs(os.path.join(out, 'grads'), exist_ok=True)
    model.train()
    probs = model(x)
    loss = torch.nn.BCELoss()(probs, y)
    model.zero_grad()
    loss.backward()
    np.save(os.path.join(out, 'train_probs.npy'), probs.detach().numpy())
    json.dump({'bce': loss.item()}, open(os.path.join(out, 'loss.json'), 'w'))
    for name, p in model.named_parameters():
        np.save(os.path.join(out, 'grads', name + '.npy'), (p.grad if p.grad is not None else torch.zeros_like(p)).numpy())
    model.eval()
    with torch.no_grad():
        np.save(os.path.join(out, 'eval_probs.npy'), model(x).numpy())
    print(json.dumps({'bce': loss.item()}))


if __name__ == '__main__':
    main()
