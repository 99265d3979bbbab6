package demoserver

import (
	"crypto/sha256"
	"encoding/hex"
)

// nameHash seeds the byte pattern of a file. It must stay in lockstep with
// Fill: external tools re-derive file contents from the name alone.
func nameHash(name string) int64 {
	h := int64(0)
	for _, c := range name {
		h = h*131 + int64(c)
	}
	return h
}

// Fill writes bytes [off, off+len(p)) of the synthetic file called name into
// p. Byte i of a file is the low byte of i*31 + hash(name), so any range can be
// produced without materialising the file and every download can be verified
// independently of the server. The formula is a contract with external
// verification tools: do not change it.
func Fill(name string, off int64, p []byte) {
	h := nameHash(name)
	// The low byte of i*31 depends only on i mod 256, so the pattern has a
	// period of 256: compute one period and replicate it with copy, which
	// keeps multi-GiB benchmarks limited by the network path, not by us.
	n := min(len(p), 256)
	for i := range n {
		p[i] = byte((off+int64(i))*31 + h)
	}
	for done := n; done < len(p); {
		done += copy(p[done:], p[:done])
	}
}

// Content returns the whole body of the synthetic file, for tests that
// compare a downloaded file byte for byte.
func Content(name string, size int64) []byte {
	p := make([]byte, size)
	Fill(name, 0, p)
	return p
}

// SHA256 returns the hex SHA-256 of the synthetic file, streaming it so that
// large sizes do not need to fit in memory.
func SHA256(name string, size int64) string {
	d := sha256.New()
	buf := make([]byte, 64<<10)
	for off := int64(0); off < size; {
		n := min(int64(len(buf)), size-off)
		Fill(name, off, buf[:n])
		d.Write(buf[:n])
		off += n
	}
	return hex.EncodeToString(d.Sum(nil))
}
