module potok

go 1.26.0

require (
	github.com/cavaliergopher/grab/v3 v3.0.1
	github.com/dustin/go-humanize v1.1.0
	go.uber.org/goleak v1.3.0
	golang.org/x/sys v0.49.0
	golang.org/x/time v0.16.0
)

require github.com/stretchr/testify v1.11.1 // indirect
