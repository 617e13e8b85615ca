"""Writes lr-schedules.json, the learning-rate schedules SchedulerTests checks, from PyTorch
(run from this folder with torch installed):

    python3 make-lr-schedules.py   # -> lr-schedules.json

Format `swifttorch-lr-schedules/1`: `{"format", "generator", "cases": [CASE, ...]}`, where a CASE has

- `scheduler`: PyTorch's class name; `options`: its keyword arguments with PyTorch's names
  (SequentialLR: `schedulers`, a list of `{"scheduler", "options"}`, and `milestones`);
- `base_lr`: the optimizer's learning rate when the scheduler is made;
- `lr_per_epoch`: the learning rate read before each `scheduler.step()`, the last one after
  the last step (so there are `len(lr_per_epoch) - 1` steps);
- optional `name` (a case's label when a scheduler appears more than once), `optimizer`
  (`{"type": "SGD" | "Adam", "momentum": ...}`, SGD without momentum when absent),
  `metrics` (ReduceLROnPlateau: the value passed to each `step`) and `momentum_per_epoch`
  (OneCycleLR: SGD's `momentum` or Adam's `betas[0]`, read with each learning rate).

The first three cases are those of ../shared/conformance/lr-schedules.json, unchanged.
"""
import json
import torch

SCHEDULERS = torch.optim.lr_scheduler


def make_optimizer(base_lr, optimizer):
    params = [torch.zeros(1, requires_grad=True)]
    kind = optimizer.get("type", "SGD") if optimizer else "SGD"
    if kind == "Adam":
        return torch.optim.Adam(params, lr=base_lr)
    return torch.optim.SGD(params, lr=base_lr, momentum=(optimizer or {}).get("momentum", 0))


def make_scheduler(opt, name, options):
    if name == "SequentialLR":
        children = [make_scheduler(opt, c["scheduler"], c["options"]) for c in options["schedulers"]]
        return SCHEDULERS.SequentialLR(opt, children, milestones=options["milestones"])
    return getattr(SCHEDULERS, name)(opt, **options)


def momentum(opt):
    group = opt.param_groups[0]
    return group["betas"][0] if "betas" in group else group["momentum"]


def run(case, steps):
    opt = make_optimizer(case["base_lr"], case.get("optimizer"))
    scheduler = make_scheduler(opt, case["scheduler"], case["options"])
    lrs, momenta = [], []
    metrics = case.get("metrics")
    for epoch in range(steps + 1):
        lrs.append(opt.param_groups[0]["lr"])
        momenta.append(momentum(opt))
        if epoch == steps:
            break
        opt.step()  # PyTorch's order: the optimizer steps before the scheduler
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[epoch])
    case["lr_per_epoch"] = lrs
    if case.pop("record_momentum", False):
        case["momentum_per_epoch"] = momenta
    return case


def case(scheduler, options, base_lr=0.1, steps=7, **extra):
    c = {"scheduler": scheduler, "options": options, "base_lr": base_lr}
    c.update(extra)
    return run(c, len(c["metrics"]) if "metrics" in c else steps)


cases = [
    # The shared fixture's cases.
    case("StepLR", {"step_size": 2, "gamma": 0.5}),
    case("CosineAnnealingLR", {"T_max": 5, "eta_min": 0.001}),
    case("ExponentialLR", {"gamma": 0.9}),
    # MultiStepLR: a repeated milestone decays twice.
    case("MultiStepLR", {"milestones": [2, 5, 5, 8], "gamma": 0.5}, steps=10, name="MultiStepLR/repeated-milestone"),
    case("MultiStepLR", {"milestones": [3, 6], "gamma": 0.1}, steps=8, name="MultiStepLR/default-gamma-style"),
    # LinearLR: warm-up and decay.
    case("LinearLR", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 4}, steps=8, name="LinearLR/warm-up"),
    case("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 5}, steps=8, name="LinearLR/decay"),
    # OneCycleLR: cosine with SGD momentum, linear three-phase with Adam's beta1, no momentum cycling.
    case("OneCycleLR", {"max_lr": 0.1, "total_steps": 10}, steps=10, name="OneCycleLR/cos-sgd",
         optimizer={"type": "SGD", "momentum": 0.9}, record_momentum=True),
    case("OneCycleLR", {"max_lr": 0.05, "total_steps": 12, "anneal_strategy": "linear", "three_phase": True,
                        "div_factor": 10.0, "final_div_factor": 100.0, "pct_start": 0.25,
                        "base_momentum": 0.8, "max_momentum": 0.9}, steps=12, name="OneCycleLR/linear-three-phase-adam",
         optimizer={"type": "Adam"}, record_momentum=True),
    case("OneCycleLR", {"max_lr": 0.2, "epochs": 3, "steps_per_epoch": 4, "pct_start": 0.5, "cycle_momentum": False},
         steps=12, name="OneCycleLR/epochs-no-momentum", optimizer={"type": "SGD", "momentum": 0.5}, record_momentum=True),
    # SequentialLR: a warm-up then a decay; three schedulers with two milestones.
    case("SequentialLR", {"schedulers": [{"scheduler": "LinearLR", "options": {"start_factor": 0.1, "total_iters": 3}},
                                         {"scheduler": "ExponentialLR", "options": {"gamma": 0.9}}],
                          "milestones": [3]}, steps=10, name="SequentialLR/warm-up-exponential"),
    case("SequentialLR", {"schedulers": [{"scheduler": "LinearLR", "options": {"start_factor": 0.5, "total_iters": 2}},
                                         {"scheduler": "StepLR", "options": {"step_size": 2, "gamma": 0.5}},
                                         {"scheduler": "CosineAnnealingLR", "options": {"T_max": 4}}],
                          "milestones": [2, 6]}, steps=12, name="SequentialLR/three-schedulers"),
    # ReduceLROnPlateau: a loss that stalls, an accuracy with cooldown and a floor, eps stopping tiny decays.
    case("ReduceLROnPlateau", {"mode": "min", "factor": 0.5, "patience": 2},
         metrics=[1.0, 0.9, 0.95, 0.92, 0.91, 0.9, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.8999],
         name="ReduceLROnPlateau/min-rel"),
    case("ReduceLROnPlateau", {"mode": "max", "factor": 0.2, "patience": 1, "threshold": 0.01, "threshold_mode": "abs",
                               "cooldown": 2, "min_lr": 0.003},
         metrics=[0.5, 0.6, 0.605, 0.604, 0.7, 0.69, 0.69, 0.69, 0.69, 0.69, 0.69, 0.69],
         name="ReduceLROnPlateau/max-abs-cooldown-min-lr"),
    case("ReduceLROnPlateau", {"mode": "min", "factor": 0.9, "patience": 0, "eps": 0.005},
         metrics=[1.0] * 12, name="ReduceLROnPlateau/eps"),
]

with open("lr-schedules.json", "w") as f:
    json.dump({"format": "swifttorch-lr-schedules/1", "generator": f"PyTorch {torch.__version__}", "cases": cases},
              f, indent=0)
    f.write("\n")
