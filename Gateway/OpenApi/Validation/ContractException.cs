namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// A contract the validator cannot be built from. The message starts with the JSON pointer (without the
/// leading slash) of the offending place inside the contract, e.g. "operation/parameters/1/schema/pattern: ...".
/// </summary>
internal sealed class ContractException(string message) : Exception(message);
