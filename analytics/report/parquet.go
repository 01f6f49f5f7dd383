package report

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/analytics/parquetfile"
)

// WriteParquet writes a bucketed result: period (timestamp, s), then one nullable float64
// column per metric.
func WriteParquet(w io.Writer, res *analytics.Result) error {
	fields := []arrow.Field{{Name: "period", Type: &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}}}
	for _, k := range res.Query.GroupBy {
		fields = append(fields, arrow.Field{Name: k, Type: arrow.BinaryTypes.String})
	}
	for _, m := range res.Query.Metrics {
		fields = append(fields, arrow.Field{Name: m, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, r := range res.Rows {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(r.Time.Unix()))
		for i, k := range r.Keys {
			b.Field(1 + i).(*array.StringBuilder).Append(k)
		}
		for i, v := range r.Values {
			fb := b.Field(1 + len(r.Keys) + i).(*array.Float64Builder)
			if v == nil {
				fb.AppendNull()
			} else {
				fb.Append(*v)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return parquetfile.Write(w, rec)
}
