package hubtest

import (
	"io"
	"net/http"
	"time"
)

// copyBody copies a body that starts at offset of its file, flipping the
// bytes at multiples of 4096 when corrupt. It stops at the first error (a
// client gone, a fault).
func copyBody(dst io.Writer, src io.Reader, offset int64, corrupt bool) {
	buf := make([]byte, 256<<10)
	for {
		n, err := src.Read(buf)
		if corrupt {
			for i := (4096 - offset%4096) % 4096; i < int64(n); i += 4096 {
				buf[i] ^= 0xff
			}
		}
		offset += int64(n)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// writeSlices writes an in-memory body without copying it, a MiB at a time
// so that Requests sees it progress.
func writeSlices(dst io.Writer, data []byte) {
	for len(data) > 0 {
		n := min(len(data), 1<<20)
		if _, err := dst.Write(data[:n]); err != nil {
			return
		}
		data = data[n:]
	}
}

// faultWriter applies a response's bandwidth limit, stall and dropped
// connection to its body.
func faultWriter(w http.ResponseWriter, r *http.Request, fx effects) io.Writer {
	if !fx.drop && !fx.stall && fx.rate <= 0 {
		return w
	}
	return &shapedWriter{w: w, r: r, fx: fx, start: time.Now()}
}

type shapedWriter struct {
	w       http.ResponseWriter
	r       *http.Request
	fx      effects
	start   time.Time
	written int64
}

func (s *shapedWriter) Write(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		chunk := p
		if s.fx.rate > 0 {
			chunk = chunk[:min(int64(len(chunk)), max(s.fx.rate/50, 1))]
		}
		if s.fx.stall && s.written+int64(len(chunk)) >= s.fx.stallAfter {
			n, _ := s.w.Write(chunk[:s.fx.stallAfter-s.written])
			s.written += int64(n)
			http.NewResponseController(s.w).Flush()
			<-s.r.Context().Done()
			// Abort, so that a chunked (gzip) body does not end cleanly.
			panic(http.ErrAbortHandler)
		}
		if s.fx.drop && s.written+int64(len(chunk)) >= s.fx.dropAfter {
			chunk = chunk[:s.fx.dropAfter-s.written]
			n, _ := s.w.Write(chunk)
			s.written += int64(n)
			http.NewResponseController(s.w).Flush()
			// The server closes the connection without finishing the body.
			panic(http.ErrAbortHandler)
		}
		if s.fx.rate > 0 {
			// Each chunk leaves when the rate allows its last byte.
			due := time.Duration(float64(s.written+int64(len(chunk))) / float64(s.fx.rate) * float64(time.Second))
			if wait := due - time.Since(s.start); wait > 0 && !sleep(s.r, wait) {
				return total, s.r.Context().Err()
			}
		}
		n, err := s.w.Write(chunk)
		total += n
		s.written += int64(n)
		if err != nil {
			return total, err
		}
		p = p[n:]
		if s.fx.rate > 0 {
			http.NewResponseController(s.w).Flush()
		}
	}
	return total, nil
}
