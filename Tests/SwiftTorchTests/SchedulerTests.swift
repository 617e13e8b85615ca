import Foundation
import SwiftTorch
import Testing

// Learning-rate schedulers against PyTorch: `lr-schedules.json` lists, per scheduler, the
// learning rate at epochs 0...7, read before each `scheduler.step()`.

private struct Schedules: Decodable, Sendable {
    struct Options: Decodable, Sendable {
        var step_size: Int?, gamma: Double?, T_max: Int?, eta_min: Double?
    }
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let scheduler: String
        let options: Options
        let base_lr: Double
        let lr_per_epoch: [Double]
        var testDescription: String { scheduler }
    }
    let cases: [Case]

    static func load() throws -> [Case] {
        let url = try #require(Bundle.module.url(forResource: "lr-schedules", withExtension: "json", subdirectory: "Resources"))
        return try JSONDecoder().decode(Schedules.self, from: Data(contentsOf: url)).cases
    }
}

private func optimizer(lrs: [Double]) throws -> SGD {
    try SGD(lrs.map { ParamGroup(params: [try Tensor([0.0]).requiringGrad()], lr: $0) })
}

@Suite("LR schedulers give PyTorch's learning rates")
struct SchedulerTests {
    @Test(arguments: try Schedules.load())
    fileprivate func matchesPyTorchPerEpoch(_ c: Schedules.Case) throws {
        let opt = try optimizer(lrs: [c.base_lr])
        let o = c.options
        let scheduler: LRScheduler = switch c.scheduler {
        case "StepLR": try StepLR(opt, stepSize: o.step_size!, gamma: o.gamma!)
        case "ExponentialLR": ExponentialLR(opt, gamma: o.gamma!)
        case "CosineAnnealingLR": try CosineAnnealingLR(opt, tMax: o.T_max!, etaMin: o.eta_min ?? 0)
        default: throw TorchError(.notImplemented, "fixture names an unknown scheduler \(c.scheduler)")
        }
        for (epoch, expected) in c.lr_per_epoch.enumerated() {
            #expect(Swift.abs(opt.learningRates[0] - expected) < 1e-12, "epoch \(epoch)")
            #expect(scheduler.lastLR == opt.learningRates)
            #expect(scheduler.lastEpoch == epoch)
            scheduler.step()
        }
    }

    @Test func schedulesEveryGroupFromItsOwnRate() throws {
        let opt = try optimizer(lrs: [0.1, 0.01])
        let scheduler = try StepLR(opt, stepSize: 1, gamma: 0.5)
        #expect(scheduler.baseLRs == [0.1, 0.01])
        scheduler.step()
        #expect(opt.learningRates == [0.05, 0.005])
    }

    @Test func cosineAnnealingReachesEtaMinAtTMax() throws {
        let opt = try optimizer(lrs: [0.5])
        let scheduler = try CosineAnnealingLR(opt, tMax: 10, etaMin: 0.02)
        for _ in 0..<10 { scheduler.step() }
        #expect(Swift.abs(opt.learningRates[0] - 0.02) < 1e-15)
        for _ in 0..<10 { scheduler.step() }
        #expect(Swift.abs(opt.learningRates[0] - 0.5) < 1e-12)
    }

    @Test func chainedSchedulersMultiply() throws {
        let opt = try optimizer(lrs: [0.1])
        let exponential = ExponentialLR(opt, gamma: 0.9)
        let stepwise = try StepLR(opt, stepSize: 2, gamma: 0.5)
        for _ in 0..<2 {
            exponential.step()
            stepwise.step()
        }
        #expect(Swift.abs(opt.learningRates[0] - 0.1 * 0.81 * 0.5) < 1e-15)
    }

    @Test func theOptimizerStepsWithTheScheduledRate() throws {
        let p = try Tensor([1.0], dtype: .float64).requiringGrad()
        let opt = try SGD([p], lr: 1)
        let scheduler = ExponentialLR(opt, gamma: 0.5)
        scheduler.step()
        try (p * 1).sum().backward()
        try opt.step()
        #expect(try p.item() == 0.5)
    }

    @Test func rejectsNonPositivePeriods() throws {
        let opt = try optimizer(lrs: [0.1])
        #expect(throws: TorchError.self) { try StepLR(opt, stepSize: 0) }
        #expect(throws: TorchError.self) { try CosineAnnealingLR(opt, tMax: 0) }
    }
}
