using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sidecar.PubSub.Routing;

/// <summary>A routing expression that is not valid in the CEL subset we evaluate.</summary>
public sealed class RouteExpressionException(string message) : Exception(message);

/// <summary>
/// The subset of CEL that subscription routing rules use (contract §4.3): <c>==</c>, <c>!=</c>, <c>&lt;</c>,
/// <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>, parentheses, string, number,
/// bool and null literals, <c>event.&lt;attribute&gt;</c> paths (nested into <c>data</c>) and the string methods
/// <c>startsWith</c>, <c>endsWith</c>, <c>contains</c>, and <c>has(event.…)</c>. The only variable is <c>event</c>, as in daprd.
/// A path that does not exist compares unequal to everything instead of failing the delivery.
/// </summary>
public sealed class RouteMatcher
{
    private readonly Node _root;

    private RouteMatcher(string expression, Node root)
    {
        Expression = expression;
        _root = root;
    }

    public string Expression { get; }

    /// <exception cref="RouteExpressionException">The expression is not in the supported subset.</exception>
    public static RouteMatcher Parse(string expression)
    {
        var parser = new Parser(expression);
        return new RouteMatcher(expression, parser.ParseAll());
    }

    /// <summary>True only when the expression evaluates to boolean true for this CloudEvent.</summary>
    public bool Matches(JsonElement cloudEvent) => _root.Evaluate(cloudEvent) is Value.Bool { B: true };

    private abstract record Value
    {
        public sealed record Missing : Value;

        public sealed record Null : Value;

        public sealed record Bool(bool B) : Value;

        public sealed record Number(double N) : Value;

        public sealed record Str(string S) : Value;

        /// <summary>An object or array from the event: only comparable for existence, never equal to literals.</summary>
        public sealed record Composite(string Json) : Value;

        public static Value From(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.String => new Str(element.GetString()!),
            JsonValueKind.Number => new Number(element.GetDouble()),
            JsonValueKind.True => new Bool(true),
            JsonValueKind.False => new Bool(false),
            JsonValueKind.Null => new Null(),
            _ => new Composite(element.GetRawText()),
        };
    }

    private abstract record Node
    {
        public abstract Value Evaluate(JsonElement cloudEvent);
    }

    private sealed record Literal(Value Value) : Node
    {
        public override Value Evaluate(JsonElement cloudEvent) => Value;
    }

    private sealed record PathNode(IReadOnlyList<string> Segments) : Node
    {
        public override Value Evaluate(JsonElement cloudEvent)
        {
            var current = cloudEvent;
            foreach (var segment in Segments)
            {
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
                {
                    return new Value.Missing();
                }
            }

            return Value.From(current);
        }
    }

    private sealed record Has(PathNode Path) : Node
    {
        public override Value Evaluate(JsonElement cloudEvent) => new Value.Bool(Path.Evaluate(cloudEvent) is not Value.Missing);
    }

    private sealed record Not(Node Operand) : Node
    {
        public override Value Evaluate(JsonElement cloudEvent) =>
            Operand.Evaluate(cloudEvent) is Value.Bool b ? new Value.Bool(!b.B) : new Value.Missing();
    }

    private sealed record Logical(bool IsAnd, Node Left, Node Right) : Node
    {
        public override Value Evaluate(JsonElement cloudEvent)
        {
            var left = Left.Evaluate(cloudEvent) is Value.Bool { B: true };
            if (IsAnd && !left)
            {
                return new Value.Bool(false);
            }

            if (!IsAnd && left)
            {
                return new Value.Bool(true);
            }

            return new Value.Bool(Right.Evaluate(cloudEvent) is Value.Bool { B: true });
        }
    }

    private sealed record Comparison(string Operator, Node Left, Node Right) : Node
    {
        public override Value Evaluate(JsonElement cloudEvent)
        {
            var left = Left.Evaluate(cloudEvent);
            var right = Right.Evaluate(cloudEvent);
            var equal = !(left is Value.Missing || right is Value.Missing || left is Value.Composite || right is Value.Composite) && left == right;
            return Operator switch
            {
                "==" => new Value.Bool(equal),
                "!=" => new Value.Bool(!equal),
                _ => new Value.Bool(Order(left, right) is { } order && Operator switch
                {
                    "<" => order < 0,
                    "<=" => order <= 0,
                    ">" => order > 0,
                    _ => order >= 0,
                }),
            };
        }

        private static int? Order(Value left, Value right) => (left, right) switch
        {
            (Value.Number a, Value.Number b) => a.N.CompareTo(b.N),
            (Value.Str a, Value.Str b) => string.CompareOrdinal(a.S, b.S),
            _ => null,
        };
    }

    private sealed record StringCall(string Method, Node Target, Node Argument) : Node
    {
        public override Value Evaluate(JsonElement cloudEvent)
        {
            if (Target.Evaluate(cloudEvent) is not Value.Str target || Argument.Evaluate(cloudEvent) is not Value.Str argument)
            {
                return new Value.Missing();
            }

            return new Value.Bool(Method switch
            {
                "startsWith" => target.S.StartsWith(argument.S, StringComparison.Ordinal),
                "endsWith" => target.S.EndsWith(argument.S, StringComparison.Ordinal),
                _ => target.S.Contains(argument.S, StringComparison.Ordinal),
            });
        }
    }

    private enum TokenKind
    {
        Identifier,
        String,
        Number,
        Operator,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Position);

    private sealed class Parser
    {
        private static readonly string[] Operators = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", ".", ","];
        private static readonly string[] StringMethods = ["startsWith", "endsWith", "contains"];
        private readonly string _text;
        private readonly List<Token> _tokens;
        private int _next;

        public Parser(string text)
        {
            _text = text;
            _tokens = Tokenize(text);
        }

        public Node ParseAll()
        {
            if (_tokens.Count == 1)
            {
                throw Error("empty expression", 0);
            }

            var node = ParseOr();
            if (Peek.Kind != TokenKind.End)
            {
                throw Error($"unexpected '{Peek.Text}'", Peek.Position);
            }

            return node;
        }

        private Token Peek => _tokens[_next];

        private Node ParseOr()
        {
            var left = ParseAnd();
            while (Accept("||"))
            {
                left = new Logical(false, left, ParseAnd());
            }

            return left;
        }

        private Node ParseAnd()
        {
            var left = ParseUnary();
            while (Accept("&&"))
            {
                left = new Logical(true, left, ParseUnary());
            }

            return left;
        }

        private Node ParseUnary() => Accept("!") ? new Not(ParseUnary()) : ParseComparison();

        private Node ParseComparison()
        {
            var left = ParsePostfix();
            if (Peek.Kind == TokenKind.Operator && Peek.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                var op = _tokens[_next++].Text;
                return new Comparison(op, left, ParsePostfix());
            }

            return left;
        }

        private Node ParsePostfix()
        {
            var node = ParsePrimary();
            while (Peek is { Kind: TokenKind.Operator, Text: "." })
            {
                _next++;
                var name = Expect(TokenKind.Identifier, "a method name");
                if (!StringMethods.Contains(name.Text, StringComparer.Ordinal))
                {
                    throw Error($"unsupported method '{name.Text}'", name.Position);
                }

                ExpectOperator("(");
                var argument = ParseOr();
                ExpectOperator(")");
                node = new StringCall(name.Text, node, argument);
            }

            return node;
        }

        private Node ParsePrimary()
        {
            var token = Peek;
            switch (token.Kind)
            {
                case TokenKind.String:
                    _next++;
                    return new Literal(new Value.Str(token.Text));
                case TokenKind.Number:
                    _next++;
                    return new Literal(new Value.Number(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture)));
                case TokenKind.Operator when token.Text == "(":
                    _next++;
                    var inner = ParseOr();
                    ExpectOperator(")");
                    return inner;
                case TokenKind.Identifier:
                    _next++;
                    return token.Text switch
                    {
                        "true" => new Literal(new Value.Bool(true)),
                        "false" => new Literal(new Value.Bool(false)),
                        "null" => new Literal(new Value.Null()),
                        "event" => ParsePath(),
                        "has" => ParseHas(),
                        _ => throw Error($"undeclared reference to '{token.Text}' (only 'event' is declared)", token.Position),
                    };
                default:
                    throw Error(token.Kind == TokenKind.End ? "unexpected end of expression" : $"unexpected '{token.Text}'", token.Position);
            }
        }

        /// <summary>CEL's presence test, has(event.a.b): true when the field exists (even if null).</summary>
        private Has ParseHas()
        {
            ExpectOperator("(");
            var root = Expect(TokenKind.Identifier, "'event'");
            if (root.Text != "event")
            {
                throw Error($"undeclared reference to '{root.Text}' (only 'event' is declared)", root.Position);
            }

            var path = ParsePath();
            ExpectOperator(")");
            return new Has(path);
        }

        private PathNode ParsePath()
        {
            var segments = new List<string>();

            // A segment followed by '(' is a method call, which ParsePostfix handles.
            while (Peek is { Kind: TokenKind.Operator, Text: "." } &&
                   _tokens[_next + 1].Kind == TokenKind.Identifier &&
                   _tokens[_next + 2] is not { Kind: TokenKind.Operator, Text: "(" })
            {
                segments.Add(_tokens[_next + 1].Text);
                _next += 2;
            }

            if (segments.Count == 0)
            {
                throw Error("'event' must be followed by an attribute, e.g. event.type", Peek.Position);
            }

            return new PathNode(segments);
        }

        private bool Accept(string op)
        {
            if (Peek.Kind == TokenKind.Operator && Peek.Text == op)
            {
                _next++;
                return true;
            }

            return false;
        }

        private void ExpectOperator(string op)
        {
            if (!Accept(op))
            {
                throw Error($"expected '{op}'", Peek.Position);
            }
        }

        private Token Expect(TokenKind kind, string what)
        {
            if (Peek.Kind != kind)
            {
                throw Error($"expected {what}", Peek.Position);
            }

            return _tokens[_next++];
        }

        private RouteExpressionException Error(string message, int position) =>
            new($"invalid match expression '{_text}': {message} at position {position}");

        private List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c is '"' or '\'')
                {
                    tokens.Add(ReadString(text, ref i));
                }
                else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                {
                    var start = i++;
                    while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] is '.' or 'e' or 'E'))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Number, text[start..i], start));
                }
                else if (char.IsAsciiLetter(c) || c == '_')
                {
                    var start = i;
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Identifier, text[start..i], start));
                }
                else
                {
                    var op = Operators.FirstOrDefault(o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0)
                        ?? throw Error($"unexpected character '{c}'", i);
                    tokens.Add(new Token(TokenKind.Operator, op, i));
                    i += op.Length;
                }
            }

            tokens.Add(new Token(TokenKind.End, "", text.Length));
            return tokens;
        }

        private Token ReadString(string text, ref int i)
        {
            var quote = text[i];
            var start = i++;
            var value = new StringBuilder();
            while (i < text.Length && text[i] != quote)
            {
                if (text[i] == '\\' && i + 1 < text.Length)
                {
                    i++;
                    value.Append(text[i] switch
                    {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        _ => text[i],
                    });
                }
                else
                {
                    value.Append(text[i]);
                }

                i++;
            }

            if (i >= text.Length)
            {
                throw Error("unterminated string", start);
            }

            i++;
            return new Token(TokenKind.String, value.ToString(), start);
        }
    }
}
