//! What the search's two linear models share (the danger detector's and the re-ranker's): hashing a feature's bytes,
//! the weights' file format, a fixed shuffle and AdaGrad's update, so both train the same way and the same data
//! always gives the same bytes.

/// A feature: its bucket (weight index) and value.
pub type Feature = (u32, f32);

/// FNV-1a of the bytes, seeded by a feature family.
pub(crate) fn hash(family: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ family.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Weights as the committed `.bin` files store them: little-endian f32, one per feature.
pub fn to_bytes(weights: &[f32]) -> Vec<u8> {
    weights.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// The weights in `bytes`, if there are exactly `count` of them.
pub(crate) fn from_bytes(bytes: &[u8], count: usize) -> Option<Vec<f32>> {
    if bytes.len() != count * 4 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// Training state: the weights and AdaGrad's running sums of squared gradients.
pub(crate) struct AdaGrad {
    pub(crate) weights: Vec<f32>,
    squares: Vec<f32>,
    rate: f32,
    l2: f32,
    seed: u64,
}

impl AdaGrad {
    pub(crate) fn new(count: usize, rate: f32, l2: f32) -> AdaGrad {
        AdaGrad {
            weights: vec![0.0; count],
            squares: vec![1e-6; count],
            rate,
            l2,
            seed: 0x2545_f491_4f6c_dd1d,
        }
    }

    /// Shuffles `order` the same way every run (xorshift).
    pub(crate) fn shuffle(&mut self, order: &mut [usize]) {
        for i in (1..order.len()).rev() {
            self.seed ^= self.seed << 13;
            self.seed ^= self.seed >> 7;
            self.seed ^= self.seed << 17;
            order.swap(i, (self.seed % (i as u64 + 1)) as usize);
        }
    }

    /// One step for the features of one prediction whose loss has derivative `gradient` in its output.
    pub(crate) fn step(&mut self, features: &[Feature], gradient: f32) {
        for &(i, v) in features {
            let i = i as usize;
            let g = gradient * v + self.l2 * self.weights[i];
            self.squares[i] += g * g;
            self.weights[i] -= self.rate * g / self.squares[i].sqrt();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_round_trip_and_a_wrong_size_is_refused() {
        let w = vec![0.5, -1.25, 3.0];
        assert_eq!(from_bytes(&to_bytes(&w), 3), Some(w));
        assert_eq!(from_bytes(&[0u8; 7], 2), None);
    }

    #[test]
    fn training_is_deterministic() {
        let run = || {
            let mut t = AdaGrad::new(4, 0.3, 1e-5);
            let mut order = vec![0, 1, 2, 3];
            t.shuffle(&mut order);
            t.step(&[(1, 1.0), (3, 0.5)], 0.7);
            (order, t.weights)
        };
        assert_eq!(run(), run());
    }
}
