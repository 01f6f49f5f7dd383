package qa

// span is a half-open stretch of frames [start, end). Lists of spans are sorted and disjoint.
type span struct{ start, end int64 }

func (s span) len() int64 { return s.end - s.start }

func total(l []span) int64 {
	var t int64
	for _, s := range l {
		t += s.len()
	}
	return t
}

// union merges two sorted disjoint lists, joining touching spans.
func union(a, b []span) []span {
	out := make([]span, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var s span
		if j >= len(b) || (i < len(a) && a[i].start <= b[j].start) {
			s, i = a[i], i+1
		} else {
			s, j = b[j], j+1
		}
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// intersect returns the frames in both lists.
func intersect(a, b []span) []span {
	var out []span
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		lo, hi := max(a[i].start, b[j].start), min(a[i].end, b[j].end)
		if lo < hi {
			out = append(out, span{lo, hi})
		}
		if a[i].end < b[j].end {
			i++
		} else {
			j++
		}
	}
	return out
}

// complement returns the frames of [0, n) not in l.
func complement(l []span, n int64) []span {
	var out []span
	var at int64
	for _, s := range l {
		if s.start > at {
			out = append(out, span{at, s.start})
		}
		at = max(at, s.end)
	}
	if at < n {
		out = append(out, span{at, n})
	}
	return out
}

// subtract returns the frames of a not in b.
func subtract(a, b []span, n int64) []span { return intersect(a, complement(b, n)) }
