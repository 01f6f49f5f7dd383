package segments

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/analytics/parquetfile"
	"github.com/seed-1c4692e8/hotline/events"
)

// Schema is the columns of an exported segment.
var Schema = arrow.NewSchema([]arrow.Field{
	{Name: "customer_id", Type: arrow.BinaryTypes.String},
	{Name: "tenant", Type: arrow.BinaryTypes.String},
	{Name: "phone", Type: arrow.BinaryTypes.String},
	{Name: "quadrant", Type: arrow.BinaryTypes.String},
	{Name: "satisfaction", Type: arrow.PrimitiveTypes.Float64},
	{Name: "loyalty", Type: arrow.PrimitiveTypes.Float64},
	{Name: "blacklisted", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "frequent_claims", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "high_loss_ratio", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "surveys", Type: arrow.PrimitiveTypes.Int32},
	{Name: "complaints", Type: arrow.PrimitiveTypes.Int32},
	{Name: "claims", Type: arrow.PrimitiveTypes.Int32},
	{Name: "active_policies", Type: arrow.PrimitiveTypes.Int32},
	{Name: "loss_ratio", Type: arrow.PrimitiveTypes.Float64},
}, nil)

// Mask returns the segment with phone numbers masked (events.MaskPhone).
func Mask(segs []analytics.CustomerSegment) []analytics.CustomerSegment {
	out := make([]analytics.CustomerSegment, len(segs))
	for i, s := range segs {
		s.Phone = events.MaskPhone(s.Phone)
		out[i] = s
	}
	return out
}

// Record builds one Arrow record batch of the segment; the caller releases it.
func Record(segs []analytics.CustomerSegment) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, Schema)
	defer b.Release()
	for _, s := range segs {
		b.Field(0).(*array.StringBuilder).Append(s.Customer)
		b.Field(1).(*array.StringBuilder).Append(s.Tenant)
		b.Field(2).(*array.StringBuilder).Append(s.Phone)
		b.Field(3).(*array.StringBuilder).Append(s.Quadrant)
		b.Field(4).(*array.Float64Builder).Append(s.Satisfaction)
		b.Field(5).(*array.Float64Builder).Append(s.Loyalty)
		b.Field(6).(*array.BooleanBuilder).Append(s.Blacklisted)
		b.Field(7).(*array.BooleanBuilder).Append(s.FrequentClaims)
		b.Field(8).(*array.BooleanBuilder).Append(s.HighLossRatio)
		b.Field(9).(*array.Int32Builder).Append(int32(s.Surveys))
		b.Field(10).(*array.Int32Builder).Append(int32(s.Complaints))
		b.Field(11).(*array.Int32Builder).Append(int32(s.Claims))
		b.Field(12).(*array.Int32Builder).Append(int32(s.ActivePolicies))
		b.Field(13).(*array.Float64Builder).Append(s.LossRatio)
	}
	return b.NewRecordBatch()
}

// WriteArrow writes the segment as an Arrow IPC file.
func WriteArrow(w io.Writer, segs []analytics.CustomerSegment) error {
	rec := Record(segs)
	defer rec.Release()
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(Schema))
	if err != nil {
		return fmt.Errorf("opening arrow writer: %w", err)
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return fmt.Errorf("writing arrow record: %w", err)
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("closing arrow file: %w", err)
	}
	return nil
}

// WriteParquet writes the segment as a Parquet file (zstd).
func WriteParquet(w io.Writer, segs []analytics.CustomerSegment) error {
	rec := Record(segs)
	defer rec.Release()
	return parquetfile.Write(w, rec)
}
