//! The `adagrad` solver: softmax regression trained example by example with AdaGrad step sizes, for
//! data too large for L-BFGS. Each feature keeps the sum of its squared gradients, so rare n-grams take
//! large steps and common ones small; one pass over a million sentences is within a point of the
//! converged optimum. Updates run in input order on one thread, so the result is the same on any machine.
//! Memory is the weight table (`n_features` rows of `n_classes + 1` f32, padded to whole cache lines),
//! whatever the number of rows.

use ndarray::{Array1, Array2};

/// Added under the square root, so the first step of a feature is finite.
const EPSILON: f32 = 1e-8;

/// One task's softmax head while it learns. Classes are numbered in the order they first appear.
#[derive(Debug, Clone)]
pub struct AdagradHead {
    n_features: usize,
    n_classes: usize,
    learning_rate: f32,
    /// Per feature: its `n_classes` weights, then its squared-gradient sum, in a row of `stride` floats
    /// that starts `offset` floats into the table.
    table: Vec<f32>,
    stride: usize,
    offset: usize,
    intercept: Vec<f64>,
    intercept_squares: f64,
    scores: Vec<f64>,
    /// Per class: the scores' weighted sums, then the gradient, in single precision.
    sums: Vec<f32>,
}

impl AdagradHead {
    pub fn new(n_features: usize, n_classes: usize, learning_rate: f64) -> Self {
        let (table, stride, offset) = aligned_table(n_features, n_classes + 1);
        AdagradHead {
            n_features,
            n_classes,
            learning_rate: learning_rate as f32,
            table,
            stride,
            offset,
            intercept: vec![0.0; n_classes],
            intercept_squares: 0.0,
            scores: vec![0.0; n_classes],
            sums: vec![0.0; n_classes],
        }
    }

    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Makes room for one more class (a label seen for the first time), with zero weights.
    pub fn add_class(&mut self) {
        let (old, new) = (self.n_classes + 1, self.n_classes + 2);
        let (mut table, stride, offset) = aligned_table(self.n_features, new);
        for (new_row, old_row) in table[offset..].chunks_exact_mut(stride).zip(self.rows()) {
            new_row[..old - 1].copy_from_slice(&old_row[..old - 1]);
            new_row[new - 1] = old_row[old - 1];
        }
        (self.table, self.stride, self.offset) = (table, stride, offset);
        self.n_classes += 1;
        self.intercept.push(0.0);
        self.scores.push(0.0);
        self.sums.push(0.0);
    }

    /// Asks the CPU to start loading the table rows of `columns` (the next example's) into cache, so the
    /// update of this example overlaps with those memory reads: the table is far larger than the cache.
    pub fn prefetch(&self, columns: &[usize]) {
        for &column in columns {
            if let Some(entry) = self.table.get(self.offset + column * self.stride) {
                crate::model::prefetch(entry);
            }
        }
    }

    /// One AdaGrad step on the softmax cross-entropy of a feature row (its `columns` and `values`),
    /// scaled by `weight`, toward `target`.
    pub fn update(&mut self, columns: &[usize], values: &[f64], target: usize, weight: f64) {
        let (stride, offset) = (self.stride, self.offset);
        let k = self.n_classes;
        // Scores summed in single precision (as the weights are), softmax in double.
        self.sums.iter_mut().for_each(|s| *s = 0.0);
        for (&column, &value) in columns.iter().zip(values) {
            let start = offset + column * stride;
            let weights = &self.table[start..start + k];
            let value = value as f32;
            for (sum, &w) in self.sums.iter_mut().zip(weights) {
                *sum += value * w;
            }
        }
        for ((score, &b), &sum) in self.scores.iter_mut().zip(&self.intercept).zip(&self.sums) {
            *score = b + f64::from(sum);
        }
        crate::model::softmax_in_place(&mut self.scores);
        // The gradient of the loss with respect to the scores: p − onehot(target).
        self.scores[target] -= 1.0;
        let mut squared_norm = 0.0;
        for g in self.scores.iter_mut() {
            *g *= weight;
            squared_norm += *g * *g;
        }
        let gradient: &[f64] = &self.scores;
        for (g32, &g) in self.sums.iter_mut().zip(gradient) {
            *g32 = g as f32;
        }
        let squared_norm32 = squared_norm as f32;
        for (&column, &value) in columns.iter().zip(values) {
            let start = offset + column * stride;
            let (weights, sum) = self.table[start..start + k + 1].split_at_mut(k);
            let value = value as f32;
            sum[0] += value * value * squared_norm32;
            let step = self.learning_rate / (sum[0] + EPSILON).sqrt() * value;
            for (w, &g) in weights.iter_mut().zip(&self.sums) {
                *w -= step * g;
            }
        }
        self.intercept_squares += squared_norm;
        let step = f64::from(self.learning_rate) / (self.intercept_squares + 1e-8).sqrt();
        for (b, &g) in self.intercept.iter_mut().zip(gradient) {
            *b -= step * g;
        }
    }

    /// The table's rows, one per feature (each `stride` long).
    fn rows(&self) -> std::slice::ChunksExact<'_, f32> {
        self.table[self.offset..self.offset + self.n_features * self.stride]
            .chunks_exact(self.stride)
    }

    /// The weights (`n_features × n_classes`) and intercept with the classes put in `order`
    /// (`order[i]` is the learning-time index of output class `i`).
    pub fn into_weights(self, order: &[usize]) -> (Array2<f32>, Array1<f64>) {
        let mut weights = Array2::zeros((self.n_features, order.len()));
        for (mut out, row) in weights.outer_iter_mut().zip(self.rows()) {
            for (o, &class) in out.iter_mut().zip(order) {
                *o = row[class];
            }
        }
        let intercept = order.iter().map(|&class| self.intercept[class]).collect();
        (weights, intercept)
    }
}

/// A zeroed table for `n_features` rows of `row_len` floats, in memory advised to use huge pages (it is
/// read at random), and the stride and offset of its rows. Rows are padded to 4, 8, 16 or a multiple of
/// 16 floats and the first starts on a 64-byte boundary, so a row spans as few cache lines as it can (one
/// up to 16 floats): each row an update reads and writes costs one memory access, not two.
fn aligned_table(n_features: usize, row_len: usize) -> (Vec<f32>, usize, usize) {
    const LINE_FLOATS: usize = 64 / std::mem::size_of::<f32>();
    let stride = if row_len <= LINE_FLOATS {
        row_len.next_power_of_two().max(4)
    } else {
        row_len.next_multiple_of(LINE_FLOATS)
    };
    let len = n_features * stride + LINE_FLOATS;
    let mut table: Vec<f32> = super::memory::with_huge_pages(len);
    table.resize(len, 0.0);
    let misalignment = (table.as_ptr() as usize % 64) / std::mem::size_of::<f32>();
    let offset = (LINE_FLOATS - misalignment) % LINE_FLOATS;
    (table, stride, offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::SparseRow;

    fn update(head: &mut AdagradHead, row: &SparseRow, target: usize) {
        head.update(&row.columns, &row.values, target, 1.0);
    }

    fn row(columns: &[usize]) -> SparseRow {
        let value = 1.0 / (columns.len() as f64).sqrt();
        SparseRow {
            columns: columns.to_vec(),
            values: vec![value; columns.len()],
        }
    }

    #[test]
    fn learns_to_separate_classes_from_their_features() {
        let mut head = AdagradHead::new(6, 3, 0.5);
        for _ in 0..20 {
            update(&mut head, &row(&[0, 1]), 0);
            update(&mut head, &row(&[2, 3]), 1);
            update(&mut head, &row(&[4, 5, 1]), 2);
        }
        let (weights, intercept) = head.into_weights(&[0, 1, 2]);
        for (columns, expected) in [(&[0, 1][..], 0), (&[2, 3], 1), (&[4, 5, 1], 2)] {
            let r = row(columns);
            let mut scores = intercept.to_vec();
            for (&c, &v) in r.columns.iter().zip(&r.values) {
                for (s, &w) in scores.iter_mut().zip(weights.row(c)) {
                    *s += v * f64::from(w);
                }
            }
            assert_eq!(crate::model::argmax(&scores), expected);
        }
    }

    #[test]
    fn a_new_class_keeps_what_was_learned() {
        let mut head = AdagradHead::new(4, 2, 0.5);
        update(&mut head, &row(&[0, 1]), 0);
        update(&mut head, &row(&[2]), 1);
        let before = head.clone().into_weights(&[0, 1]);
        head.add_class();
        let after = head.clone().into_weights(&[0, 1]);
        assert_eq!(before, after);
        assert_eq!(head.into_weights(&[2, 0, 1]).0.column(0).sum(), 0.0);
    }

    #[test]
    fn table_rows_span_the_fewest_cache_lines() {
        for row_len in [2, 3, 4, 5, 9, 10, 16, 17, 40] {
            let (table, stride, offset) = aligned_table(100, row_len);
            assert!(stride >= row_len);
            assert!(table.len() >= offset + 100 * stride);
            let first = table[offset..].as_ptr() as usize;
            let row_bytes = stride * 4;
            for column in [0, 1, 37, 99] {
                let start = first + column * row_bytes;
                let end = start + row_len * 4 - 1;
                let lines = end / 64 - start / 64 + 1;
                assert_eq!(
                    lines,
                    (row_len * 4).div_ceil(64),
                    "row {column} of {row_len} floats"
                );
            }
        }
    }

    #[test]
    fn the_first_step_has_the_size_of_the_learning_rate() {
        let mut head = AdagradHead::new(1, 2, 0.1);
        head.update(&[0], &[1.0], 0, 1.0);
        // Gradient (−0.5, 0.5), norm √0.5: each weight moves by 0.1 × 0.5 / √0.5.
        let (weights, _) = head.into_weights(&[0, 1]);
        let expected = 0.1 * 0.5 / 0.5f32.sqrt();
        assert!((weights[[0, 0]] - expected).abs() < 1e-6);
        assert!((weights[[0, 1]] + expected).abs() < 1e-6);
    }
}
