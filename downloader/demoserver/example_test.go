package demoserver_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"potok/downloader/demoserver"
)

func ExampleNewServer() {
	// A server whose first response per file is cut short after 10 bytes,
	// as a flaky mirror would do.
	s := demoserver.NewServer(demoserver.WithShortBody(10), demoserver.WithFaultCount(1))
	defer s.Close()

	fetch := func() ([]byte, error) {
		resp, err := http.Get(s.FileURL("report.pdf", 100))
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		return io.ReadAll(resp.Body)
	}
	_, err := fetch()
	fmt.Println("first attempt:", err)
	body, err := fetch()
	fmt.Println("retry:", err, bytes.Equal(body, demoserver.Content("report.pdf", 100)))
	fmt.Println("requests:", s.RequestCount("report.pdf"))
	// Output:
	// first attempt: unexpected EOF
	// retry: <nil> true
	// requests: 2
}
