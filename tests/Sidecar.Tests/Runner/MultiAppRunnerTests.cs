using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dapr.Client;
using Npgsql;
using Platform.Testing;

namespace Sidecar.Tests.Runner;

public sealed class MultiAppRunnerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Run_TwoApps_TableLogsInvocationAndCleanStop()
    {
        await using var run = new RunHarness();
        var content = $"served by b {Guid.NewGuid()}";
        run.Write("b/hello.txt", content);
        run.Folder("a");
        // The cron binding's schedule comes from the run file's common env: proves each sidecar sees its app's env.
        run.Write("a/components/tick.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: tick
            spec:
              type: bindings.cron
              version: v1
              metadata:
                - name: schedule
                  envRef: TICK_SCHEDULE
            """);
        var aHttpPort = ProcessRunner.FreePort();
        var bAppPort = ProcessRunner.FreePort();
        run.Write("dapr.yaml", $"""
            version: 1
            common:
              env:
                TICK_SCHEDULE: "@every 1h"
            apps:
              - appID: a
                appDirPath: ./a
                daprHTTPPort: {aHttpPort}
                resourcesPaths: [components]
                command: ["sh", "-c", "echo pid=$$ app=$APP_ID http=$DAPR_HTTP_PORT; exec sleep 300"]
              - appID: b
                appDirPath: ./b
                appPort: {bAppPort}
                command: ["sh", "-c", "echo pid=$$ urls=$ASPNETCORE_URLS; exec python3 -m http.server $APP_PORT --bind 127.0.0.1"]
            """);

        _ = run.Start();
        await run.WaitForLineAsync(l => l.Contains("App b is healthy", StringComparison.Ordinal), "b healthy");

        var header = await run.WaitForLineAsync(l => l.StartsWith("APP ID", StringComparison.Ordinal), "table header");
        Assert.Contains("DAPR HTTP PORT", header, StringComparison.Ordinal);
        var bRow = run.Lines.Single(l => l.StartsWith("b ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(bAppPort.ToString(CultureInfo.InvariantCulture), bRow[1]);
        Assert.Equal($"http://127.0.0.1:{bAppPort}", bRow[4]);
        var bHttpPort = int.Parse(bRow[2], CultureInfo.InvariantCulture);
        Assert.Contains(run.Lines, l => l.StartsWith("a ", StringComparison.Ordinal) && l.Contains($" {aHttpPort} ", StringComparison.Ordinal));

        using var http = new HttpClient();
        foreach (var port in new[] { aHttpPort, bHttpPort })
        {
            await Eventually.MatchAsync(
                async () => (await http.GetAsync($"http://127.0.0.1:{port}/v1.0/healthz", TestContext.Current.CancellationToken)).StatusCode,
                status => status == HttpStatusCode.NoContent,
                Timeout,
                $"sidecar on {port} healthy");
        }

        var invoked = await http.GetAsync($"http://127.0.0.1:{aHttpPort}/v1.0/invoke/b/method/hello.txt", TestContext.Current.CancellationToken);
        var body = await invoked.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(invoked.StatusCode == HttpStatusCode.OK, $"{invoked.StatusCode}: {body}\n{run.Output}");
        Assert.Equal(content, body.Trim());
        var aGrpcPort = run.Lines.Single(l => l.StartsWith("a ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];
        using (var dapr = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{aGrpcPort}").UseHttpEndpoint($"http://127.0.0.1:{aHttpPort}").Build())
        {
            var metadata = await dapr.GetMetadataAsync(TestContext.Current.CancellationToken);
            Assert.Equal("a", metadata.Id);
            Assert.Contains(metadata.Components, c => c.Name == "tick" && c.Type == "bindings.cron");
        }

        var aLine = await run.WaitForLineAsync(l => l.StartsWith("== APP - a == pid=", StringComparison.Ordinal), "a's first line");
        Assert.Contains($"app=a http={aHttpPort}", aLine, StringComparison.Ordinal);
        var bLine = await run.WaitForLineAsync(l => l.StartsWith("== APP - b == pid=", StringComparison.Ordinal), "b's first line");
        Assert.EndsWith($"urls=http://localhost:{bAppPort}", bLine, StringComparison.Ordinal);
        Assert.Contains(run.Lines, l => l.StartsWith("== DAPR - b == ", StringComparison.Ordinal));
        var pids = new[] { aLine, bLine }.Select(Pid).ToList();
        Assert.All(pids, pid => Assert.True(IsRunning(pid), $"pid {pid} runs"));

        Assert.Equal(0, await run.StopAsync());

        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"pid {pid} stopped"));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{aHttpPort}/v1.0/healthz", TestContext.Current.CancellationToken));
        Assert.Contains(run.Lines, l => l == "info: Stopped");
    }

    [Fact]
    public async Task Stop_AppIgnoresSigterm_IsKilledAfterTheGracePeriod()
    {
        await using var run = new RunHarness();
        run.Folder("stubborn");
        run.Write("dapr.yaml", """
            version: 1
            apps:
              - appDirPath: stubborn
                command: ["sh", "-c", "trap '' TERM; echo pid=$$; while true; do sleep 0.2; done"]
            """);

        _ = run.Start(new Dictionary<string, string> { ["SIDECAR_APP_STOP_GRACE"] = "1" });
        var pid = Pid(await run.WaitForLineAsync(l => l.StartsWith("== APP - stubborn == pid=", StringComparison.Ordinal), "the app's first line"));

        Assert.Equal(0, await run.StopAsync());

        Assert.False(IsRunning(pid), "killed after the grace period");
        Assert.Contains("warn: App stubborn did not stop within 1 s of SIGTERM; killing its process tree", run.Lines);
    }

    [Fact]
    public async Task Run_AppExitsWithError_StopsTheOthersAndExitsNonZeroNamingTheApp()
    {
        await using var run = new RunHarness();
        run.Folder("good");
        run.Folder("bad");
        run.Write("dapr.yaml", """
            version: 1
            apps:
              - appDirPath: good
                command: ["sh", "-c", "echo pid=$$; exec sleep 300"]
              - appDirPath: bad
                command: ["sh", "-c", "echo failing; exit 3"]
            """);

        var exitCode = await run.Start().WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        Assert.Contains(run.Lines, l => l.Contains("app 'bad' exited with code 3", StringComparison.Ordinal));
        Assert.Contains("== APP - bad == failing", run.Lines);
        var appLog = Assert.Single(Directory.GetFiles(Path.Combine(run.Root.FullName, "bad", ".dapr", "logs"), "bad_app_*.log"));
        Assert.Equal("failing", File.ReadAllText(appLog).Trim());
        var goodPid = Pid(run.Lines.First(l => l.StartsWith("== APP - good == pid=", StringComparison.Ordinal)));
        Assert.False(IsRunning(goodPid), "the good app is stopped too");
    }

    [Fact]
    public async Task Run_SidecarShutsDown_EndsTheRunNonZeroNamingTheAppAndStopsTheApp()
    {
        await using var run = new RunHarness();
        run.Folder("worker");
        run.Write("dapr.yaml", """
            version: 1
            apps:
              - appDirPath: worker
                command: ["sh", "-c", "echo pid=$$ sidecar=$DAPR_HTTP_PORT; exec sleep 300"]
            """);

        var exit = run.Start();
        var started = await run.WaitForLineAsync(l => l.StartsWith("== APP - worker == pid=", StringComparison.Ordinal), "the app's start");
        using var sidecar = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{started.Split("sidecar=")[1]}") };
        using (var shutdown = await sidecar.PostAsync("/v1.0/shutdown", content: null, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, shutdown.StatusCode);
        }

        Assert.Equal(1, await exit.WaitAsync(Timeout, TestContext.Current.CancellationToken));
        Assert.Contains(run.Lines, l => l.Contains("the sidecar of app 'worker' stopped", StringComparison.Ordinal));
        Assert.False(IsRunning(Pid(started)), "the app is stopped with the run");
    }

    [Fact]
    public async Task Run_RestartApps_KilledAppStartsAgainBesideTheSameSidecar()
    {
        await using var run = new RunHarness();
        run.Folder("worker");
        run.Write("dapr.yaml", """
            version: 1
            apps:
              - appDirPath: worker
                command: ["sh", "-c", "echo pid=$$ sidecar=$DAPR_HTTP_PORT; exec sleep 300"]
            x-sidecar:
              restartApps: true
            """);

        _ = run.Start();
        var first = await run.WaitForLineAsync(l => l.StartsWith("== APP - worker == pid=", StringComparison.Ordinal), "the app's first start");
        // kill -9, as a crashed process dies: no shutdown, no exit code of its own choosing.
        Process.GetProcessById(Pid(first)).Kill();
        var second = await run.WaitForLineAsync(
            l => l.StartsWith("== APP - worker == pid=", StringComparison.Ordinal) && l != first, "the app started again");

        Assert.Contains(run.Lines, l => l.Contains("App worker exited with code 137; starting it again", StringComparison.Ordinal));
        Assert.NotEqual(Pid(first), Pid(second));
        Assert.Equal(first.Split("sidecar=")[1], second.Split("sidecar=")[1]);
        Assert.Equal(0, await run.StopAsync());
        Assert.False(IsRunning(Pid(second)), "the restarted app is stopped with the run");
    }

    [Fact]
    public async Task Run_ProgramNotFound_ExitsNonZeroNamingTheApp()
    {
        await using var run = new RunHarness();
        run.Folder("ghost");
        run.Write("dapr.yaml", """
            version: 1
            apps:
              - appDirPath: ghost
                command: ["no-such-program-for-the-runner"]
            """);

        var exitCode = await run.Start().WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        Assert.Contains(run.Lines, l => l.StartsWith("error: app 'ghost' failed to start: could not start 'no-such-program-for-the-runner'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_InvalidComponent_ExitsNonZeroNamingTheAppAndTheField()
    {
        await using var run = new RunHarness();
        run.Write("broken/components/cron.yaml", """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: no-schedule
            spec:
              type: bindings.cron
              version: v1
              metadata: []
            """);
        run.Write("dapr.yaml", """
            version: 1
            apps:
              - appDirPath: broken
                resourcesPath: components
                command: ["sleep", "300"]
            """);

        var exitCode = await run.Start().WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        Assert.Contains(run.Lines, l => l.StartsWith("error: the sidecar of app 'broken' did not start: ", StringComparison.Ordinal) && l.Contains("spec.metadata.schedule", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Lines, l => l.StartsWith("APP ID", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ExternalRedisNamedByEnvironment_IsPassedOnWithoutStartingOne()
    {
        await using var run = new RunHarness();
        run.Folder("cache-user");
        run.Write("dapr.yaml", """
            version: 1
            apps:
              - appDirPath: cache-user
                command: ["sh", "-c", "echo redis=$PLATFORM_REDIS_HOST; exec sleep 300"]
            """);

        _ = run.Start(new Dictionary<string, string> { ["SIDECAR_BACKENDS"] = "redis", ["PLATFORM_REDIS"] = "10.1.2.3:6380" });

        await run.WaitForLineAsync(l => l == "== APP - cache-user == redis=10.1.2.3:6380", "the app sees the external redis");
        Assert.Contains("info: Backend redis at 10.1.2.3:6380 (from PLATFORM_REDIS)", run.Lines);
        Assert.False(Directory.Exists(Path.Combine(run.Root.FullName, ".data", "redis")), "no local redis");
    }

    [Fact]
    public async Task Run_ApiTokenInEnv_ReachesTheAppAndGuardsItsSidecar()
    {
        await using var run = new RunHarness();
        run.Folder("guarded");
        var httpPort = ProcessRunner.FreePort();
        run.Write("dapr.yaml", $"""
            version: 1
            common:
              env:
                DAPR_API_TOKEN: s3cret
            apps:
              - appDirPath: guarded
                daprHTTPPort: {httpPort}
                command: ["sh", "-c", "echo token=$DAPR_API_TOKEN; exec sleep 300"]
            """);

        _ = run.Start();
        await run.WaitForLineAsync(l => l == "== APP - guarded == token=s3cret", "the app sees the token");

        using var http = new HttpClient();
        var url = $"http://127.0.0.1:{httpPort}/v1.0/invoke/guarded/method/anything";
        var refused = await http.GetAsync(url, TestContext.Current.CancellationToken);
        using var withToken = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "dapr-api-token", "s3cret" } } };
        var accepted = await http.SendAsync(withToken, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, accepted.StatusCode);
    }

    [Fact]
    public async Task Run_AppNeverOpensItsPort_ReportedAsFailedAfterTheStartTimeout()
    {
        await using var run = new RunHarness();
        run.Folder("mute");
        run.Write("dapr.yaml", $"""
            version: 1
            apps:
              - appDirPath: mute
                appPort: {ProcessRunner.FreePort()}
                command: ["sleep", "300"]
            """);

        var exitCode = await run.Start(new Dictionary<string, string> { ["SIDECAR_APP_START_TIMEOUT"] = "1" })
            .WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        Assert.Contains(run.Lines, l => l.Contains("app 'mute' did not become healthy (TCP port", StringComparison.Ordinal) && l.Contains("within 1 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_HealthCheckPath_ReportsHealthyWhenThePathAnswers()
    {
        await using var run = new RunHarness();
        run.Write("web/ready", "ok");
        var port = ProcessRunner.FreePort();
        run.Write("dapr.yaml", $"""
            version: 1
            apps:
              - appDirPath: web
                appPort: {port}
                appHealthCheckPath: /ready
                command: ["python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1"]
            """);

        _ = run.Start();

        await run.WaitForLineAsync(l => l == "info: App web is healthy (GET /ready)", "web healthy through its path");
    }

    [Fact]
    public async Task Run_RedisBackend_StartsRedisUnderDotDataAndExportsItsAddress()
    {
        await using var run = new RunHarness();
        run.Folder("cache-user");
        run.Write("dapr.yaml", """
            version: 1
            apps:
              - appDirPath: cache-user
                command: ["sh", "-c", "echo redis=$PLATFORM_REDIS_HOST; exec sleep 300"]
            x-sidecar:
              backends: [redis]
            """);

        _ = run.Start();
        var line = await run.WaitForLineAsync(l => l.StartsWith("== APP - cache-user == redis=", StringComparison.Ordinal), "the app prints the redis address");
        var address = line["== APP - cache-user == redis=".Length..];
        Assert.StartsWith("127.0.0.1:", address, StringComparison.Ordinal);
        var port = int.Parse(address.Split(':')[1], CultureInfo.InvariantCulture);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, await run.StopAsync());

        Assert.True(Directory.Exists(Path.Combine(run.Root.FullName, ".data", "redis", "appendonlydir")), "redis data persists under .data/redis");
        using var refused = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => refused.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken).AsTask());
    }

    [Fact]
    public async Task Run_PostgresBackend_InitializesOnceAndKeepsDataBetweenRuns()
    {
        await using var run = new RunHarness();
        // Under root the cluster belongs to the postgres user, which must be able to reach .data/ (temp folders are 0700).
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(run.Root.FullName, (UnixFileMode)0b111_101_101);
        }
        run.Folder("db-user");
        run.Write("dapr.yaml", """
            version: 1
            apps:
              - appDirPath: db-user
                command: ["sh", "-c", "echo port=$PLATFORM_POSTGRES_PORT user=$PLATFORM_POSTGRES_USER; echo shop=$PLATFORM_POSTGRES_SHOP_CONNECTION; exec sleep 300"]
            x-sidecar:
              backends: [postgres]
              databases: [shop]
            """);
        var table = $"runner_{Guid.NewGuid():N}";

        _ = run.Start();
        var first = await run.WaitForLineAsync(l => l.StartsWith("== APP - db-user == port=", StringComparison.Ordinal), "first run's app line", seconds: 120);
        var shop = await run.WaitForLineAsync(l => l.StartsWith("== APP - db-user == shop=", StringComparison.Ordinal), "the per-service database's connection string");
        Assert.EndsWith("database=shop", shop, StringComparison.Ordinal);
        await using (var connection = new NpgsqlConnection(ConnectionString(first).Replace("Database=postgres", "Database=shop", StringComparison.Ordinal)))
        {
            // The database listed under x-sidecar.databases exists before any app starts.
            await connection.OpenAsync(TestContext.Current.CancellationToken);
        }

        await using (var connection = new NpgsqlConnection(ConnectionString(first)))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"CREATE TABLE {table} (id int); INSERT INTO {table} VALUES (42)", connection);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, await run.StopAsync());
        Assert.True(File.Exists(Path.Combine(run.Root.FullName, ".data", "postgres", "PG_VERSION")), "the cluster lives under .data/postgres");
        Assert.Contains(run.Lines, l => l.StartsWith("== APP - db-user == port=", StringComparison.Ordinal) && l.EndsWith("user=postgres", StringComparison.Ordinal));

        var linesBefore = run.Lines.Count;
        _ = run.Start();
        var second = await run.WaitForLineAsync(l => l.StartsWith("== APP - db-user == port=", StringComparison.Ordinal), "second run's app line", seconds: 120, skip: linesBefore);
        await using (var connection = new NpgsqlConnection(ConnectionString(second)))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var select = new NpgsqlCommand($"SELECT id FROM {table}", connection);
            Assert.Equal(42, await select.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }

        NpgsqlConnection.ClearAllPools();
        Assert.Equal(0, await run.StopAsync());
    }

    private static string ConnectionString(string appLine) =>
        $"Host=127.0.0.1;Port={appLine.Split("port=")[1].Split(' ')[0]};Username=postgres;Database=postgres;Pooling=false";

    private static int Pid(string line) =>
        int.Parse(line.Split("pid=")[1].Split(' ')[0], CultureInfo.InvariantCulture);

    private static bool IsRunning(int pid)
    {
        // A reaped process has no /proc entry; a zombie has one with state Z.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        var text = File.ReadAllText(stat);
        return text[(text.LastIndexOf(')') + 2)] is not ('Z' or 'X');
    }
}
