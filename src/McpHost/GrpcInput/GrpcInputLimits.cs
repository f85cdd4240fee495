using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.GrpcInput;

/// <summary>
/// gRPC on both ports (native and gRPC-Web, server reflection included) with hostile input bounded
/// before it costs anything: one message size limit that holds after decompression too, and
/// malformed messages or text with NUL answered <c>INVALID_ARGUMENT</c>.
/// </summary>
public static class GrpcInputLimits
{
    /// <summary>
    /// The largest request message, compressed or inflated. The largest real request (a key with a
    /// hundred workspace ids) is a few KiB; grpc-dotnet's default of 4 MiB only widens the attack surface.
    /// </summary>
    public const int MaxReceiveMessageSize = 1024 * 1024;

    public static IServiceCollection AddGrpcWithInputLimits(this IServiceCollection services)
    {
        services.AddGrpc(options =>
        {
            options.MaxReceiveMessageSize = MaxReceiveMessageSize;
            options.CompressionProviders = [new BoundedGzipCompression(MaxReceiveMessageSize)];
            options.Interceptors.Add<DatabaseOutageInterceptor>();
            options.Interceptors.Add<TextFieldGuard>();
        });
        return services;
    }

    /// <summary>
    /// Replaces grpc-dotnet's default binder (an open generic that every <c>AddGrpc</c> call registers
    /// again) by <see cref="StrictMessageParsing{TService}"/>; so it runs after every module's registrations.
    /// </summary>
    public static IServiceCollection UseStrictGrpcMessageParsing(this IServiceCollection services)
    {
        var defaultBinders = services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>) &&
                                                 d.ImplementationType?.Assembly == typeof(GrpcServiceOptions).Assembly &&
                                                 d.ImplementationType.Name.StartsWith("BinderServiceMethodProvider", StringComparison.Ordinal)).ToList();
        foreach (var binder in defaultBinders)
        {
            services.Remove(binder);
        }

        services.AddSingleton(typeof(IServiceMethodProvider<>), typeof(StrictMessageParsing<>));
        return services;
    }
}
