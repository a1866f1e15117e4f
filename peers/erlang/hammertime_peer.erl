%% The child protocol (harness/child.cpp) for the BEAM peers (erlang.escript and
%% elixir.exs load it): the flags in, the tally, one JSON line out. Plumbing only.
-module(hammertime_peer).
-export([parse/3, url/2, count/5, report/4]).

usage(Model, Format, Values) ->  % one line and exit 2, like hammertime child
    io:format(standard_error, "~s: " ++ Format ++ "~n", [Model | Values]),
    erlang:halt(2).

%% #{workload, items, concurrency, delay_ms, timeout_ms, host, port}; --version prints
%% Version and exits 0.
parse(Model, Version, Given) ->
    lists:member("--version", Given) andalso begin io:format("~s~n", [Version]), erlang:halt(0) end,
    logger:set_primary_config(level, error),  % stdout holds the JSON line only
    Names = ["--model", "--workload", "--items", "--concurrency", "--delay-ms",
             "--timeout-ms", "--host", "--port"],
    Values = pairs(Model, Names, Given, #{"--host" => "127.0.0.1", "--port" => "0"}),
    Workload = maps:get("--workload", Values, ""),
    lists:member(Workload, ["flags", "sleep"]) orelse usage(Model, "unknown --workload '~s'", [Workload]),
    Whole = fun(Name, Least, Most) -> whole(Model, Values, Name, Least, Most) end,
    #{model => Model, workload => list_to_atom(Workload), host => maps:get("--host", Values),
      items => Whole("--items", 1, 1000000000), concurrency => Whole("--concurrency", 1, 1000000000),
      delay_ms => Whole("--delay-ms", 0, 600000), timeout_ms => Whole("--timeout-ms", 1, 3600000),
      port => Whole("--port", 0, 65535),
      ipfamily => case lists:member($:, maps:get("--host", Values)) of  % httpc's, for the host
                      true -> inet6; false -> inet end}.

pairs(_, _, [], Values) -> Values;
pairs(Model, Names, [Name | Rest], Values) ->
    lists:member(Name, Names) orelse usage(Model, "unknown argument '~s'", [Name]),
    case Rest of
        [Value | More] -> pairs(Model, Names, More, Values#{Name => Value});
        [] -> usage(Model, "~s needs a value", [Name])
    end.

whole(Model, Values, Name, Least, Most) ->
    Text = maps:get(Name, Values, missing),
    Text =:= missing andalso usage(Model, "~s is missing", [Name]),
    case string:to_integer(Text) of
        {Value, []} when Value >= Least, Value =< Most -> Value;
        _ -> usage(Model, "bad ~s '~s': expected a whole number ~p..~p", [Name, Text, Least, Most])
    end.

%% The C++ models' request (models/wire): lower-case code, the delay asked.
url(#{host := Given, port := Port, delay_ms := Delay}, Index) ->
    CC = [$a + Index div 26 rem 26, $a + Index rem 26],
    Host = case lists:member($:, Given) of true -> "[" ++ Given ++ "]"; false -> Given end,
    lists:flatten(io_lib:format("http://~s:~p/flags/~s/~s.gif?delay_ms=~p", [Host, Port, CC, CC, Delay])).

%% ok + not_found + failed = N (counters), a latency slot an item and the timeline's
%% [index, start µs, end µs] of every stride-th item (atomics, touched before the baseline).
tally(Items) ->
    Stride = (Items + 1999) div 2000,
    Times = atomics:new(2 * (Items div Stride + 1), [{signed, true}]),
    Latencies = atomics:new(Items, [{signed, true}]),
    [atomics:put(Latencies, I, -1) || I <- lists:seq(1, Items)],
    [atomics:put(Times, I, -1) || I <- lists:seq(1, 2 * (Items div Stride + 1))],
    #{counts => counters:new(4, [write_concurrency]), latencies => Latencies,
      times => Times, stride => Stride, clock_start => now_us()}.

now_us() -> erlang:monotonic_time(microsecond).

%% Status: 200, 404, anything else a failure; Started: now_us() when the item began.
count(#{counts := Counts, latencies := Latencies, times := Times, stride := Stride,
        clock_start := Zero}, Index, Status, Bytes, Started) ->
    Now = now_us(),
    counters:add(Counts, 4, Bytes),  % every answer's body, as the C++ tally counts
    counters:add(Counts, case Status of 200 -> 1; 404 -> 2; _ -> 3 end, 1),
    atomics:put(Latencies, Index + 1, Now - Started),
    Index rem Stride =:= 0 andalso begin
        atomics:put(Times, 2 * (Index div Stride) + 1, Started - Zero),
        atomics:put(Times, 2 * (Index div Stride) + 2, Now - Zero)
    end.

proc_bytes(Path, Key) ->
    {ok, Text} = file:read_file(Path),
    Lines = [string:lexemes(L, " \t") || L <- string:lexemes(binary_to_list(Text), "\n")],
    case [V || [K, V | _] <- Lines, K =:= Key] of [V | _] -> list_to_integer(V) * 1024; [] -> 0 end.

cpu_seconds() ->  % user and system seconds of this process and its reaped children
    {ok, Stat} = file:read_file("/proc/self/stat"),
    [_, After] = string:split(binary_to_list(Stat), ")", trailing),
    F = [list_to_integer(X) || X <- lists:sublist(string:lexemes(After, " "), 12, 4)],
    {(lists:nth(1, F) + lists:nth(3, F)) / 100, (lists:nth(2, F) + lists:nth(4, F)) / 100}.

open_sockets() ->
    {ok, Fds} = file:list_dir("/proc/self/fd"),
    length([Fd || Fd <- Fds, case file:read_link("/proc/self/fd/" ++ Fd) of
                                 {ok, "socket:" ++ _} -> true; _ -> false end]).

cgroup_bytes() ->  % what the memory cgroup the harness made for this cell holds now,
    Folder = os:getenv("HAMMERTIME_MEMORY_CGROUP", ""),  % less its file cache
    Read = [B || Name <- ["memory.usage_in_bytes", "memory.current"], Folder =/= "",
                 {ok, B} <- [file:read_file(Folder ++ "/" ++ Name)]],
    case Read of
        [B | _] -> [{"baseline_cgroup_bytes",
                     max(0, binary_to_integer(string:trim(B)) - file_cache_bytes(Folder))}];
        [] -> []
    end.

file_cache_bytes(Folder) ->  % memory.stat's file (v2) or total_cache (v1)
    case file:read_file(Folder ++ "/memory.stat") of
        {ok, Stat} ->
            Fields = [list_to_tuple(string:split(L, " ")) || L <- string:split(Stat, "\n", all),
                      length(string:split(L, " ")) =:= 2],
            Find = fun(K) -> [binary_to_integer(V) || {Key, V} <- Fields, Key =:= K] end,
            case Find(<<"file">>) ++ Find(<<"total_cache">>) of [N | _] -> N; [] -> 0 end;
        _ -> 0
    end.

%% Runs Work(Tally) once around the measurements and prints the child's JSON line.
report(Args = #{items := Items, concurrency := C}, RuntimeThreads, TasksHeld, Work) ->
    Tally0 = tally(Items),
    Pss = proc_bytes("/proc/self/smaps_rollup", "Pss:"),
    Rss = proc_bytes("/proc/self/status", "VmRSS:"),
    Cgroup = cgroup_bytes(),
    {UserBefore, SystemBefore} = cpu_seconds(),
    Sockets = open_sockets(),
    Tally = Tally0#{clock_start := now_us()},
    Work(Tally),
    Wall = (now_us() - maps:get(clock_start, Tally)) / 1.0e6,
    {UserAfter, SystemAfter} = cpu_seconds(),
    #{counts := Counts, latencies := Latencies, times := Times, stride := Stride} = Tally,
    Sorted = lists:sort([L / 1000 || I <- lists:seq(1, Items), (L = atomics:get(Latencies, I)) >= 0]),
    N = length(Sorted),
    Percentile = fun(_) when N =:= 0 -> 0.0;
                    (F) -> lists:nth(min(max(ceil(F * N), 1), N), Sorted) end,
    ItemTimes = [[I * Stride, atomics:get(Times, 2 * I + 1), atomics:get(Times, 2 * I + 2)]
                 || I <- lists:seq(0, Items div Stride), atomics:get(Times, 2 * I + 2) >= 0],
    Fields = [{"model", iolist_to_binary(maps:get(model, Args))},
              {"workload", atom_to_binary(maps:get(workload, Args))},
              {"items", Items}, {"concurrency", C}, {"delay_ms", maps:get(delay_ms, Args)},
              {"timeout_ms", maps:get(timeout_ms, Args)}, {"wall_seconds", Wall},
              {"ok", counters:get(Counts, 1)}, {"not_found", counters:get(Counts, 2)},
              {"failed", counters:get(Counts, 3)}, {"bytes", counters:get(Counts, 4)},
              {"p50_ms", Percentile(0.5)}, {"p99_ms", Percentile(0.99)}, {"max_ms", Percentile(1.0)},
              {"baseline_pss_bytes", Pss}, {"baseline_rss_bytes", Rss},
              {"vm_hwm_bytes", proc_bytes("/proc/self/status", "VmHWM:")},
              {"cpu_user_seconds", UserAfter - UserBefore},
              {"cpu_system_seconds", SystemAfter - SystemBefore},
              {"runtime_threads", RuntimeThreads}, {"tasks_held", TasksHeld},
              {"sockets_left_open", open_sockets() - Sockets}, {"item_times", ItemTimes} | Cgroup],
    io:format("{~s}~n", [lists:join(",", [io_lib:format("\"~s\":~s", [K, json(V)]) || {K, V} <- Fields])]).

json(V) when is_integer(V) -> integer_to_list(V);
json(V) when is_float(V) -> float_to_list(V, [{decimals, 6}, compact]);
json(V) when is_binary(V) -> [$", V, $"];
json(V) when is_list(V) -> ["[", lists:join(",", [json(X) || X <- V]), "]"].
