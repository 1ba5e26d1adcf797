package hubtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// timeFormat is how the Hub writes times.
const timeFormat = "2006-01-02T15:04:05.000Z"

// isTrue reads a boolean query parameter as the Hub does.
func isTrue(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes":
		return true
	}
	return false
}

// writeJSON sends v, cut in half when a fault asks for malformed JSON.
func writeJSON(w http.ResponseWriter, r *http.Request, fx effects, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, r, &hubError{status: http.StatusInternalServerError, message: err.Error()})
		return
	}
	if fx.malformedJSON {
		body = body[:len(body)/2]
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
