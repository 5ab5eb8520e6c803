using System.Text.RegularExpressions;

namespace Catalog.Domain;

/// <summary>A product of the catalog. <see cref="Version"/> is 1 after creation and grows by one with every change.</summary>
public sealed record Product(
    string Sku,
    string Name,
    string Description,
    string Category,
    Money Price,
    bool Active,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>What a client may change besides the price.</summary>
public sealed record ProductDetails(string Name, string Description, string Category, bool Active);

/// <summary>Why a product was written; each kind is published as its own event.</summary>
public enum ProductChangeKind
{
    Created,
    Updated,
    PriceChanged,
}

/// <summary>A new version of a product and what made it (the previous price for a price change).</summary>
public sealed record ProductChange(ProductChangeKind Kind, Product Product, Money? PreviousPrice = null);

/// <summary>The outcome of a decision: rejected input, nothing to do, or a change to persist and publish.</summary>
public abstract record Decision
{
    private Decision()
    {
    }

    public sealed record Rejected(IReadOnlyList<ValidationError> Errors) : Decision;

    /// <summary>The command asks for what the product already is: no new version, no event.</summary>
    public sealed record Unchanged(Product Product) : Decision;

    public sealed record Changed(ProductChange Change) : Decision;
}

/// <summary>The rules of the catalog as pure functions of (state, command, now).</summary>
public static partial class ProductDecisions
{
    public const int MaxSkuLength = 64;
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 2000;
    public const int MaxCategoryLength = 100;

    /// <summary>Letters, digits, '.', '_' and '-', starting with a letter or digit; case-sensitive.</summary>
    public static bool IsValidSku(string? sku) => sku is not null && SkuPattern().IsMatch(sku);

    public static Decision Create(string sku, ProductDetails details, decimal price, string currency, DateTimeOffset now)
    {
        var errors = new List<ValidationError>();
        if (!IsValidSku(sku))
        {
            errors.Add(new ValidationError("sku", $"SKU must be 1-{MaxSkuLength} letters, digits, '.', '_' or '-', starting with a letter or digit."));
        }

        var normalized = Normalize(details, errors);
        var money = Money.Create(price, currency, errors);
        if (errors.Count > 0 || normalized is null || money is null)
        {
            return new Decision.Rejected(errors);
        }

        var product = new Product(sku, normalized.Name, normalized.Description, normalized.Category, money, normalized.Active, 1, now, now);
        return new Decision.Changed(new ProductChange(ProductChangeKind.Created, product));
    }

    public static Decision Update(Product current, ProductDetails details, DateTimeOffset now)
    {
        var errors = new List<ValidationError>();
        var normalized = Normalize(details, errors);
        if (normalized is null)
        {
            return new Decision.Rejected(errors);
        }

        if (normalized == new ProductDetails(current.Name, current.Description, current.Category, current.Active))
        {
            return new Decision.Unchanged(current);
        }

        var next = current with
        {
            Name = normalized.Name,
            Description = normalized.Description,
            Category = normalized.Category,
            Active = normalized.Active,
            Version = current.Version + 1,
            UpdatedAt = now,
        };
        return new Decision.Changed(new ProductChange(ProductChangeKind.Updated, next));
    }

    /// <summary>The same amount in the same currency again is no change (10.0 equals 10.00).</summary>
    public static Decision ChangePrice(Product current, decimal price, string currency, DateTimeOffset now)
    {
        var errors = new List<ValidationError>();
        var money = Money.Create(price, currency, errors);
        if (money is null)
        {
            return new Decision.Rejected(errors);
        }

        if (money == current.Price)
        {
            return new Decision.Unchanged(current);
        }

        var next = current with { Price = money, Version = current.Version + 1, UpdatedAt = now };
        return new Decision.Changed(new ProductChange(ProductChangeKind.PriceChanged, next, current.Price));
    }

    /// <summary>Names and categories are trimmed and must not be blank; the description may be empty.</summary>
    private static ProductDetails? Normalize(ProductDetails details, List<ValidationError> errors)
    {
        var before = errors.Count;
        var name = details.Name?.Trim() ?? "";
        var description = details.Description?.Trim() ?? "";
        var category = details.Category?.Trim() ?? "";
        Require("name", name, MaxNameLength, errors);
        Require("category", category, MaxCategoryLength, errors);
        if (description.Length > MaxDescriptionLength)
        {
            errors.Add(new ValidationError("description", $"Description must be at most {MaxDescriptionLength} characters."));
        }

        return errors.Count == before ? new ProductDetails(name, description, category, details.Active) : null;
    }

    private static void Require(string field, string value, int maxLength, List<ValidationError> errors)
    {
        if (value.Length == 0)
        {
            errors.Add(new ValidationError(field, $"The {field} must not be blank."));
        }
        else if (value.Length > maxLength)
        {
            errors.Add(new ValidationError(field, $"The {field} must be at most {maxLength} characters."));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex SkuPattern();
}
