using System.Text;
using CsCheck;
using Grpc.Core;
using Perspective.Platform.Grpc;

namespace Perspective.Identity.Tests;

/// <summary>
/// Page tokens come back from callers: whatever string arrives, decoding answers the position this
/// list issued or INVALID_ARGUMENT, never another exception. A failure prints the seed that replays it.
/// </summary>
public sealed class PagingFuzzTests
{
    private const string List = "admin-keys:user-1";

    private static readonly Gen<string[]> Position = Gen.String[0, 40].Array[1, 3];

    /// <summary>Arbitrary text, base64url of arbitrary bytes and of arbitrary JSON-like text.</summary>
    private static readonly Gen<string> Token = Gen.OneOf(
        Gen.String[0, 200],
        Gen.Byte.Array[0, 200].Select(bytes => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')),
        Gen.OneOf(Gen.Const("[\""), Gen.Const("[null,"), Gen.Const("{\"a\":"), Gen.Const("[1,"), Gen.Const("["), Gen.String[0, 30])
            .Array[1, 60].Select(parts => Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Concat(parts))).TrimEnd('=').Replace('+', '-').Replace('/', '_')));

    [Fact]
    public void Any_token_decodes_to_a_position_or_an_invalid_argument() =>
        Gen.Select(Token, Gen.Int[1, 3]).Sample((token, positionLength) =>
        {
            try
            {
                var position = Paging.DecodeToken(token, List, positionLength);
                Assert.True(position is null ? token.Length == 0 : position.Length == positionLength);
            }
            catch (RpcException e)
            {
                Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            }
        }, iter: 5_000);

    [Fact]
    public void A_token_round_trips_and_is_refused_by_another_list() =>
        Position.Sample(position =>
        {
            var token = Paging.EncodeToken(List, position);

            Assert.Equal(position, Paging.DecodeToken(token, List, position.Length));
            Assert.False(Paging.TryDecodeToken(token, "admin-keys:user-2", position.Length, out _));
            Assert.False(Paging.TryDecodeToken(token, List, position.Length + 1, out _));
        }, iter: 2_000);

    [Fact]
    public void A_mutated_token_never_throws_anything_but_invalid_argument() =>
        Gen.Select(Position, Gen.Int[0, 1000], Gen.Char['!', '~']).Sample((position, at, replacement) =>
        {
            var token = Paging.EncodeToken(List, position).ToCharArray();
            token[at % token.Length] = replacement;
            Paging.TryDecodeToken(new string(token), List, position.Length, out _);
        }, iter: 5_000);

    [Fact]
    public void Any_time_position_decodes_or_is_an_invalid_argument() =>
        Gen.OneOf(Gen.String[0, 30], Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))).Sample(position =>
        {
            if (Paging.TryDecodeTime(position, out var time))
            {
                Assert.Equal(position.TrimStart('0').PadLeft(1, '0'), Paging.EncodeTime(time).TrimStart('0').PadLeft(1, '0'));
            }
            else
            {
                Assert.Equal(StatusCode.InvalidArgument, Assert.Throws<RpcException>(() => Paging.DecodeTime(position)).StatusCode);
            }
        }, iter: 5_000);
}
