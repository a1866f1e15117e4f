# elixir: Task.async_stream over the items with max_concurrency: C, each task a GET with
# Erlang's httpc (a profile of its own keeping C sessions). Sleep: Task.async +
# Task.await_many, as the published 1M-task tables do, C tasks a batch (all N when
# C = N). erlang/hammertime_peer.erl speaks harness/child.cpp's protocol.
defmodule ElixirPeer do
  # tag::elixir[]
  def work(%{workload: :sleep, items: n, concurrency: c, delay_ms: delay}, tally) do
    0..(n - 1)
    |> Enum.chunk_every(c)
    |> Enum.each(fn batch ->
      batch
      |> Enum.map(fn index ->
        Task.async(fn ->
          started = :erlang.monotonic_time(:microsecond)
          Process.sleep(delay)
          :hammertime_peer.count(tally, index, 200, 0, started)
        end)
      end)
      |> Task.await_many(:infinity)
    end)
  end

  def work(args = %{items: n, concurrency: c, ipfamily: family}, tally) do
    {:ok, _} = :inets.start(:httpc, profile: :peer)
    # No request queued behind another on a kept-alive session: httpc (OTP 25) never
    # times out a queued one, so a stalled answer would hold it for ever.
    :ok = :httpc.set_options([max_sessions: c, max_keep_alive_length: 0, ipfamily: family], :peer)

    0..(n - 1)
    |> Task.async_stream(&fetch(args, tally, &1), max_concurrency: c, timeout: :infinity)
    |> Stream.run()

    :inets.stop()  # httpc's sessions closed inside the clock
  end

  defp fetch(args, tally, index) do
    started = :erlang.monotonic_time(:microsecond)
    request = {:hammertime_peer.url(args, index), []}

    case :httpc.request(:get, request, [timeout: args.timeout_ms], [body_format: :binary], :peer) do
      {:ok, {{_, status, _}, _, body}} ->
        :hammertime_peer.count(tally, index, status, byte_size(body), started)

      {:error, _} ->  # a reset, a short body, the timeout
        :hammertime_peer.count(tally, index, 0, 0, started)
    end
  end
  # end::elixir[]
end

protocol = Path.join([__DIR__, "erlang", "hammertime_peer.erl"]) |> String.to_charlist()
{:ok, module, binary} = :compile.file(protocol, [:binary])
{:module, _} = :code.load_binary(module, protocol, binary)
version = "Elixir " <> System.version()
args = :hammertime_peer.parse(~c"elixir", String.to_charlist(version), Enum.map(System.argv(), &String.to_charlist/1))
:ok = :inets.start()  # loads httpc's code, as an import would
tasks_held = min(args.concurrency, args.items)
:hammertime_peer.report(args, System.schedulers_online(), tasks_held, &ElixirPeer.work(args, &1))
