using System.Net;
using System.Net.Http.Json;
using NUnit.Framework;
using TokenClients.AppTokens;

namespace TokenClients.Tests;

/// <summary>The handler apps put on their HttpClient: attaches the token, refreshes, retries once after invalid_token.</summary>
public sealed class AppTokenHandlerTests : AppClientTestBase
{
    private static readonly Uri Orders = new("/api/orders", UriKind.Relative);

    [Test]
    public async Task Requests_carry_the_current_access_token()
    {
        await SignInAsync();

        using var response = await ApiClient.GetAsync(Orders);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Api.SeenTokens, Is.EqualTo(new[] { TokenService.Latest.AccessToken }));
    }

    [Test]
    public async Task Many_parallel_requests_with_an_expired_token_cause_one_refresh_and_all_succeed()
    {
        await SignInAsync();
        ExpireAccessToken();
        TokenService.HoldAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var requests = Enumerable.Range(0, 40).Select(_ => ApiClient.GetAsync(Orders)).ToList();
        Assert.That(await TokenService.RequestArrived.WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        TokenService.HoldAnswers.SetResult();
        var responses = await Task.WhenAll(requests);

        AssertAllSucceededAfterOneRefresh(responses);
    }

    [Test]
    public async Task A_token_refused_as_invalid_is_refreshed_and_the_request_sent_once_more()
    {
        await SignInAsync();
        var refused = TokenService.Latest.AccessToken;
        TokenService.RejectAccessToken(refused);

        using var response = await ApiClient.GetAsync(Orders);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Api.SeenTokens, Is.EqualTo(new[] { refused, TokenService.Latest.AccessToken }));
        Assert.That(TokenService.RefreshRequests, Is.EqualTo(1));
    }

    [Test]
    public async Task Many_requests_refused_at_once_cause_one_refresh()
    {
        await SignInAsync();
        TokenService.RejectAccessToken(TokenService.Latest.AccessToken);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ApiClient.GetAsync(Orders)));

        AssertAllSucceededAfterOneRefresh(responses);
    }

    [Test]
    public async Task A_second_refusal_goes_back_to_the_caller_without_another_retry()
    {
        await SignInAsync();
        Api.AlwaysChallenge = "Bearer error=\"invalid_token\"";

        using var response = await ApiClient.GetAsync(Orders);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(Api.SeenTokens, Has.Count.EqualTo(2));
        Assert.That(TokenService.RefreshRequests, Is.EqualTo(1));
    }

    [TestCase("Bearer", TestName = "A_401_without_an_error_is_not_retried")]
    [TestCase("Bearer error=\"insufficient_scope\"", TestName = "A_401_for_insufficient_scope_is_not_retried")]
    [TestCase("Basic realm=\"api\"", TestName = "A_401_with_another_scheme_is_not_retried")]
    public async Task Only_invalid_token_challenges_are_retried(string challenge)
    {
        await SignInAsync();
        Api.AlwaysChallenge = challenge;

        using var response = await ApiClient.GetAsync(Orders);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(Api.SeenTokens, Has.Count.EqualTo(1));
        Assert.That(TokenService.RefreshRequests, Is.Zero);
    }

    [Test]
    public async Task A_request_with_a_buffered_body_is_sent_again_with_its_body()
    {
        await SignInAsync();
        TokenService.RejectAccessToken(TokenService.Latest.AccessToken);

        using var response = await ApiClient.PostAsJsonAsync(Orders, new { sku = "apple", quantity = 2 });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Api.SeenTokens, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_request_with_a_streamed_body_gets_the_refusal_back_instead_of_a_retry()
    {
        await SignInAsync();
        TokenService.RejectAccessToken(TokenService.Latest.AccessToken);
        using var body = new StreamContent(new MemoryStream([1, 2, 3]));

        using var response = await ApiClient.PostAsync(new Uri("/api/uploads", UriKind.Relative), body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(Api.SeenTokens, Has.Count.EqualTo(1));
    }

    private static IEnumerable<TestCaseData> Bodies()
    {
        yield return new TestCaseData(null, true).SetName("No_body_can_be_sent_again");
        yield return new TestCaseData(new StringContent("{}"), true).SetName("A_string_body_can_be_sent_again");
        yield return new TestCaseData(new FormUrlEncodedContent([]), true).SetName("A_form_body_can_be_sent_again");
        yield return new TestCaseData(new ByteArrayContent([1]), true).SetName("A_byte_array_body_can_be_sent_again");
        yield return new TestCaseData(new ReadOnlyMemoryContent(new byte[] { 1 }), true).SetName("A_memory_body_can_be_sent_again");
        yield return new TestCaseData(JsonContent.Create(new { a = 1 }), true).SetName("A_json_body_can_be_sent_again");
        yield return new TestCaseData(new StreamContent(Stream.Null), false).SetName("A_stream_body_cannot_be_sent_again");
        yield return new TestCaseData(new MultipartFormDataContent(), false).SetName("A_multipart_body_cannot_be_sent_again");
    }

    [TestCaseSource(nameof(Bodies))]
    public void Which_bodies_are_sent_again(HttpContent? content, bool canSendAgain)
    {
        Assert.That(AppTokenHandler.CanSendAgain(content), Is.EqualTo(canSendAgain));
        content?.Dispose();
    }

    [Test]
    public async Task A_signed_out_app_gets_signed_out_exception_and_nothing_reaches_the_api()
    {
        await SignInAsync();
        await Session.SignOutAsync(CancellationToken.None);

        Assert.ThrowsAsync<SignedOutException>(() => ApiClient.GetAsync(Orders));
        Assert.That(Api.SeenTokens, Is.Empty);
    }

    private void AssertAllSucceededAfterOneRefresh(HttpResponseMessage[] responses)
    {
        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(TokenService.RefreshRequests, Is.EqualTo(1));
        Array.ForEach(responses, r => r.Dispose());
    }
}
