// A small HTTP backend for the benchmark: GET returns a ~60-byte JSON body, GET /1m returns 1 MiB,
// POST /echo streams the request body back. Go's server is cheap per request, so the backends are
// never what limits a proxy on the other core.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"sync/atomic"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	name := flag.String("name", "go-backend", "name reported in the small GET body")
	flag.Parse()

	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = 'a' + byte(i%26)
	}
	var count atomic.Int64

	http.HandleFunc("/1m", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(big)))
		w.Write(big)
	})
	http.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		if r.ContentLength >= 0 {
			w.Header().Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
		}
		io.Copy(w, r.Body)
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body := fmt.Sprintf(`{"podname":%q,"count":%d,"pad":"0123456789"}`, *name, count.Add(1))
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	})
	log.Fatal(http.ListenAndServe(*listen, nil))
}
