package tree

import (
	"testing"

	"go.uber.org/goleak"
)

// The forest's workers and boosting's team must all have exited when a fit
// returns, canceled or not.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
