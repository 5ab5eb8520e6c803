namespace Catalog.Domain;

/// <summary>One broken rule of a command, named by the request field (camelCase) it concerns.</summary>
public sealed record ValidationError(string Field, string Message);
