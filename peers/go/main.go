// go: one goroutine an item, a channel of C tokens keeps C in flight; net/http's
// Client with a whole-request Timeout (stdlib only). http.Transport keeps only 2 idle
// connections a host by default (MaxIdleConnsPerHost): it keeps C here. Sleep:
// time.Sleep in each goroutine, N at once. protocol.go speaks harness/child.cpp's protocol.
package main

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

func main() {
	args := parseArguments()
	client := &http.Client{Timeout: args.timeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: int(args.concurrency)}}
	fetch := func(index uint64) (int, int64) {
		cc := string([]byte{byte('a' + index/26%26), byte('a' + index%26)})
		response, err := client.Get(fmt.Sprintf("http://%s:%d/flags/%s/%s.gif?delay_ms=%d",
			args.host, args.port, cc, cc, args.delay.Milliseconds()))
		if err != nil {
			return 0, 0
		}
		defer response.Body.Close()
		bytes, err := io.Copy(io.Discard, response.Body) // a short or late body: an error
		if err != nil {
			return 0, 0
		}
		return response.StatusCode, bytes
	}

	report(args, func(counts *tally) {
		var group sync.WaitGroup
		inFlight := make(chan struct{}, args.concurrency)
		for index := uint64(0); index < args.items; index++ {
			group.Add(1)
			go func(index uint64) {
				defer group.Done()
				inFlight <- struct{}{}
				defer func() { <-inFlight }()
				begun := time.Now()
				if args.workload == "sleep" {
					time.Sleep(args.delay)
					counts.count(http.StatusOK, 0, begun)
				} else {
					status, bytes := fetch(index)
					counts.count(status, bytes, begun)
				}
			}(index)
		}
		group.Wait()
		client.CloseIdleConnections() // closed inside the clock
	})
}
