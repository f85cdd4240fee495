using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Perspective.McpHost.GrpcInput;

/// <summary>
/// Refuses a request whose text fields contain NUL (U+0000) with <c>INVALID_ARGUMENT</c> naming the
/// field, for every method at once. Nothing the platform stores contains NUL, and PostgreSQL cannot
/// even compare text with it: an id such as "a\0" would fail the query (a 500) instead of not matching.
/// </summary>
public sealed class TextFieldGuard : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is IMessage message && FieldWithNul(message) is { } field)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} must not contain NUL characters (U+0000)."));
        }

        return continuation(request, context);
    }

    /// <summary>The path of the first text field, however deeply nested or repeated, that contains NUL.</summary>
    public static string? FieldWithNul(IMessage message)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            var values = field.IsRepeated ? ((System.Collections.IEnumerable)value).Cast<object>() : [value];
            foreach (var item in values)
            {
                var path = item switch
                {
                    string text when text.Contains('\0', StringComparison.Ordinal) => field.Name,
                    IMessage nested when field.FieldType == FieldType.Message => FieldWithNul(nested) is { } inner ? $"{field.Name}.{inner}" : null,
                    _ => null,
                };
                if (path is not null)
                {
                    return path;
                }
            }
        }

        return null;
    }
}
