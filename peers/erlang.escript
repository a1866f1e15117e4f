#!/usr/bin/env escript
%% erlang: one process an item, C of them alive at once (each one's end starts the next),
%% httpc with a profile of its own keeping C sessions. Sleep: `receive after` in each
%% process, N at once when C = N. erlang/hammertime_peer.erl speaks harness/child.cpp's
%% protocol.
-mode(compile).

main(Given) ->
    Here = filename:dirname(escript:script_name()),
    {ok, Module, Binary} = compile:file(filename:join([Here, "erlang", "hammertime_peer.erl"]), [binary]),
    {module, _} = code:load_binary(Module, "hammertime_peer.erl", Binary),
    Args = hammertime_peer:parse("erlang", "Erlang/OTP " ++ erlang:system_info(otp_release), Given),
    #{items := N, concurrency := C} = Args,
    ok = inets:start(),  % loads httpc's code, as an import would
    hammertime_peer:report(Args, erlang:system_info(schedulers_online), min(C, N),
                           fun(Tally) -> work(Args, Tally) end).

%% tag::erlang[]
work(Args = #{items := N, concurrency := C, ipfamily := Family}, Tally) ->
    {ok, _} = inets:start(httpc, [{profile, peer}]),
    %% No request queued behind another on a kept-alive session: httpc (OTP 25) never
    %% times out a queued one, so a stalled answer would hold it for ever.
    ok = httpc:set_options([{max_sessions, C}, {max_keep_alive_length, 0}, {ipfamily, Family}], peer),
    Parent = self(),
    Start = fun(Index) -> spawn_link(fun() -> item(Args, Tally, Index), Parent ! done end) end,
    lists:foreach(Start, lists:seq(0, min(C, N) - 1)),
    wait(min(C, N), N, min(C, N), Start),
    inets:stop().  % httpc's sessions closed inside the clock

wait(_, _, 0, _) -> ok;
wait(Next, N, Alive, Start) ->
    receive done when Next < N -> Start(Next), wait(Next + 1, N, Alive, Start);
            done -> wait(Next, N, Alive - 1, Start)
    end.

item(#{workload := sleep, delay_ms := Delay}, Tally, Index) ->
    Started = erlang:monotonic_time(microsecond),
    receive after Delay -> ok end,
    hammertime_peer:count(Tally, Index, 200, 0, Started);
item(Args = #{timeout_ms := Timeout}, Tally, Index) ->
    Started = erlang:monotonic_time(microsecond),
    Request = {hammertime_peer:url(Args, Index), []},
    case httpc:request(get, Request, [{timeout, Timeout}], [{body_format, binary}], peer) of
        {ok, {{_, Status, _}, _, Body}} ->
            hammertime_peer:count(Tally, Index, Status, byte_size(Body), Started);
        {error, _} ->  % a reset, a short body, the timeout
            hammertime_peer:count(Tally, Index, 0, 0, Started)
    end.
%% end::erlang[]
