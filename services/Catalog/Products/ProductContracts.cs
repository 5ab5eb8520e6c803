using System.ComponentModel.DataAnnotations;
using Catalog.Domain;

namespace Catalog.Products;

/// <summary>POST /products. Missing properties are refused by the JSON reader; blank strings by the annotations.</summary>
public sealed record CreateProductRequest(
    [property: Required, StringLength(ProductDecisions.MaxSkuLength)] string Sku,
    [property: Required, StringLength(ProductDecisions.MaxNameLength)] string Name,
    [property: Required, StringLength(ProductDecisions.MaxCategoryLength)] string Category,
    decimal Price,
    [property: Required] string Currency,
    // Optional in the JSON (defaults: no description, active): only parameters with a default may be absent.
    [property: StringLength(ProductDecisions.MaxDescriptionLength)] string? Description = null,
    bool? Active = null);

/// <summary>PUT /products/{sku}: everything but the price (which has its own endpoint and event).</summary>
public sealed record UpdateProductRequest(
    [property: Required, StringLength(ProductDecisions.MaxNameLength)] string Name,
    [property: Required, StringLength(ProductDecisions.MaxCategoryLength)] string Category,
    bool Active,
    [property: StringLength(ProductDecisions.MaxDescriptionLength)] string? Description = null);

/// <summary>PUT /products/{sku}/price.</summary>
public sealed record ChangePriceRequest(decimal Price, [property: Required] string Currency);

public sealed record ProductResponse(
    string Sku,
    string Name,
    string Description,
    string Category,
    decimal Price,
    string Currency,
    bool Active,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One page of a product list; a null <see cref="ContinuationToken"/> means there is nothing more.</summary>
public sealed record ProductPage(IReadOnlyList<ProductResponse> Items, string? ContinuationToken);
