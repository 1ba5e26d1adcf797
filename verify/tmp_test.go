package verify

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestTmp(t *testing.T) {
	for _, d := range []string{"gpt2"} {
		t0 := time.Now()
		r, err := Reference(context.Background(), "../testdata/fixtures/"+d, nil)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(time.Since(t0), r.Summary())
	}
}
