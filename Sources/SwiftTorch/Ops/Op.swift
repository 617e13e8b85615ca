import SwiftTorchCore

/// Handles of every declared operator. Each family file adds its operators here as static
/// constants, declared once with schema, meta rules and derivative.
public enum Op {}

/// Declares every operator family into the registry at start-up. Swift runs no static
/// initialisers, so this touches each family's list once.
enum OperatorCatalog {
    static func declareAll() {
        _ = Op.conversionFamily
        _ = Op.creationFamily
        _ = Op.elementwiseFamily
        _ = Op.reductionFamily
        _ = Op.softmaxFamily
        _ = Op.linalgFamily
        _ = Op.shapeFamily
        _ = Op.indexingFamily
        _ = Op.lossFamily
        _ = Op.inPlaceFamily
        _ = Op.optimizerFamily
        _ = Op.nnFamily
        _ = Op.sequenceFamily
        _ = Op.backwardFamily
    }
}
