using Catalog.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Catalog.Products;

/// <summary>Products: create, read, list (Dapr query API), update details, change price. Every write is versioned and publishes one event.</summary>
public static class ProductsApi
{
    public static RouteGroupBuilder MapProductsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/products").WithTags("Products");
        group.MapPost("/", CreateProduct).WithName(nameof(CreateProduct))
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapGet("/", ListProducts).WithName(nameof(ListProducts));
        group.MapGet("/{sku}", GetProduct).WithName(nameof(GetProduct)).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{sku}", UpdateProduct).WithName(nameof(UpdateProduct))
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPut("/{sku}/price", ChangePrice).WithName(nameof(ChangePrice))
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    internal static async Task<Results<Created<ProductResponse>, ValidationProblem, ProblemHttpResult>> CreateProduct(
        CreateProductRequest request, ProductStore store, HttpResponse response, CancellationToken cancellationToken)
    {
        var details = new ProductDetails(request.Name, request.Description ?? "", request.Category, request.Active ?? true);
        var outcome = await store.CreateAsync(now => ProductDecisions.Create(request.Sku, details, request.Price, request.Currency, now), cancellationToken);
        return outcome switch
        {
            WriteOutcome.Written written => Created(written, response),
            WriteOutcome.Rejected rejected => Invalid(rejected.Errors),
            WriteOutcome.AlreadyExists => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict, title: "Product exists", detail: $"A product with SKU '{request.Sku}' exists already."),
            _ => throw new InvalidOperationException($"unexpected outcome {outcome}"),
        };
    }

    internal static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> GetProduct(
        string sku, ProductStore store, HttpResponse response, CancellationToken cancellationToken)
    {
        var (state, etag) = ProductDecisions.IsValidSku(sku) ? await store.FindAsync(sku, cancellationToken) : (null, "");
        if (state is null)
        {
            return NotFound(sku);
        }

        response.Headers.ETag = ETags.Format(etag);
        return TypedResults.Ok(state.ToProduct().ToResponse());
    }

    internal static async Task<Results<Ok<ProductPage>, ValidationProblem>> ListProducts(
        ProductStore store,
        IOptions<CatalogOptions> options,
        string? category,
        bool? active,
        string? currency,
        decimal? minPrice,
        decimal? maxPrice,
        int? pageSize,
        string? continuationToken,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var size = pageSize ?? Math.Min(20, options.Value.MaxPageSize);
        if (size < 1 || size > options.Value.MaxPageSize)
        {
            errors["pageSize"] = [$"pageSize must be between 1 and {options.Value.MaxPageSize}."];
        }

        Currency? currencyFilter = null;
        if (currency is not null)
        {
            if (Money.TryParseCurrency(currency, out var parsed))
            {
                currencyFilter = parsed;
            }
            else
            {
                errors["currency"] = [$"currency must be one of {string.Join(", ", Enum.GetNames<Currency>())}."];
            }
        }

        if (minPrice < 0 || maxPrice < 0)
        {
            errors["minPrice"] = ["Prices in filters must not be negative."];
        }
        else if (minPrice > maxPrice)
        {
            errors["minPrice"] = ["minPrice must not exceed maxPrice."];
        }

        if (category is not null && string.IsNullOrWhiteSpace(category))
        {
            errors["category"] = ["category must not be blank."];
        }

        PageCursor? cursor = null;
        if (continuationToken is not null && !PageCursor.TryDecode(continuationToken, out cursor))
        {
            errors["continuationToken"] = ["continuationToken is not one this service handed out."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var filter = new ProductFilter(category?.Trim(), active, currencyFilter, minPrice, maxPrice);
        var (items, next) = await store.ListAsync(filter, size, cursor, cancellationToken);
        return TypedResults.Ok(new ProductPage([.. items.Select(i => i.ToProduct().ToResponse())], next?.Encode()));
    }

    internal static async Task<Results<Ok<ProductResponse>, ValidationProblem, ProblemHttpResult>> UpdateProduct(
        string sku, UpdateProductRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, ProductStore store, HttpResponse response,
        CancellationToken cancellationToken)
    {
        var details = new ProductDetails(request.Name, request.Description ?? "", request.Category, request.Active);
        return await ModifyAsync(sku, ifMatch, (product, now) => ProductDecisions.Update(product, details, now), store, response, cancellationToken);
    }

    internal static async Task<Results<Ok<ProductResponse>, ValidationProblem, ProblemHttpResult>> ChangePrice(
        string sku, ChangePriceRequest request, [FromHeader(Name = "If-Match")] string? ifMatch, ProductStore store, HttpResponse response,
        CancellationToken cancellationToken) =>
        await ModifyAsync(sku, ifMatch, (product, now) => ProductDecisions.ChangePrice(product, request.Price, request.Currency, now), store, response, cancellationToken);

    private static async Task<Results<Ok<ProductResponse>, ValidationProblem, ProblemHttpResult>> ModifyAsync(
        string sku, string? ifMatch, Func<Product, DateTimeOffset, Decision> decide, ProductStore store, HttpResponse response, CancellationToken cancellationToken)
    {
        if (!ProductDecisions.IsValidSku(sku))
        {
            return NotFound(sku);
        }

        var outcome = await store.ModifyAsync(sku, ifMatch, decide, cancellationToken);
        switch (outcome)
        {
            case WriteOutcome.Written written:
                SetETag(response, written.ETag);
                return TypedResults.Ok(written.Product.ToResponse());
            case WriteOutcome.Rejected rejected:
                return Invalid(rejected.Errors);
            case WriteOutcome.NotFound:
                return NotFound(sku);
            case WriteOutcome.PreconditionFailed:
                return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed",
                    detail: $"Product '{sku}' has changed since the ETag given in If-Match; read it again.");
            default:
                throw new InvalidOperationException($"unexpected outcome {outcome}");
        }
    }

    private static Created<ProductResponse> Created(WriteOutcome.Written written, HttpResponse response)
    {
        SetETag(response, written.ETag);
        return TypedResults.Created($"/products/{Uri.EscapeDataString(written.Product.Sku)}", written.Product.ToResponse());
    }

    private static void SetETag(HttpResponse response, string? etag)
    {
        if (etag is not null)
        {
            response.Headers.ETag = ETags.Format(etag);
        }
    }

    private static ProblemHttpResult NotFound(string sku) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Product not found", detail: $"No product has SKU '{sku}'.");

    private static ValidationProblem Invalid(IReadOnlyList<ValidationError> errors) =>
        TypedResults.ValidationProblem(errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
}
