// The original project's design as a benchmark peer: net/http/httputil.ReverseProxy with a
// round-robin Director over a fixed backend list. Idle upstream connections are kept per backend
// (Go's default of 2 would reconnect under load and measure that instead of the proxy).
package main

import (
	"flag"
	"log"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync/atomic"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on")
	backends := flag.String("backends", "", "comma-separated host:port list")
	flag.Parse()
	targets := strings.Split(*backends, ",")
	if *backends == "" || len(targets) == 0 {
		log.Fatal("reverse_proxy: -backends is required")
	}

	var next atomic.Uint64
	proxy := &httputil.ReverseProxy{
		Director: func(r *http.Request) {
			n := next.Add(1) - 1
			r.URL.Scheme = "http"
			r.URL.Host = targets[n%uint64(len(targets))]
		},
		Transport: &http.Transport{
			MaxIdleConns:        1024,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     90 * time.Second,
		},
		ErrorLog: log.New(log.Writer(), "reverse_proxy: ", 0),
	}
	log.Fatal(http.ListenAndServe(*listen, proxy))
}
