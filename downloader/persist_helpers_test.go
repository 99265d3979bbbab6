package downloader_test

import (
	"encoding/json"
	"strconv"
)

func itoa(n int64) string                 { return strconv.FormatInt(n, 10) }
func parseInt(s string) (int64, error)    { return strconv.ParseInt(s, 10, 64) }
func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
