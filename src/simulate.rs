//! Random draws for the simulations in the tests (test builds only): a seeded generator, so
//! that every run of a simulation draws the same numbers on every machine.

/// The fuzzers' SplitMix64 generator, with the draws the simulations need.
pub use crate::fuzz::Rng;

impl Rng {
    /// Uniform on [0, 1): the top 53 bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.uniform(); // (0, 1]
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// Gamma(shape, 1) (Marsaglia and Tsang 2000; shape < 1 boosted by U^(1/shape)).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            let u = 1.0 - self.uniform();
            return self.gamma(shape + 1.0) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = 1.0 - self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// Shares (promoters, passives, detractors) from a Dirichlet with parameters `alpha`.
    pub fn dirichlet(&mut self, alpha: [f64; 3]) -> [f64; 3] {
        let g = alpha.map(|a| self.gamma(a));
        let total: f64 = g.iter().sum();
        g.map(|x| x / total)
    }

    /// (promoters, detractors) among n answers with shares p and d, one answer at a time.
    pub fn answers(&mut self, n: usize, p: f64, d: f64) -> (f64, f64) {
        let (mut promoters, mut detractors) = (0, 0);
        for _ in 0..n {
            let u = self.uniform();
            promoters += (u < p) as u32;
            detractors += (u >= p && u < p + d) as u32;
        }
        (promoters as f64, detractors as f64)
    }
}

/// Draws of (promoters, detractors) among n answers with shares p and d by looking the
/// uniform up in the cumulative distribution of the outcomes (those with probability above
/// 1e-16, about 25,000 at n = 1000): O(log) a draw instead of O(n).
pub struct Trinomial {
    cumulative: Vec<f64>,
    outcomes: Vec<(f64, f64)>,
}

impl Trinomial {
    pub fn new(n: u32, p: f64, d: f64) -> Trinomial {
        let o = 1.0 - p - d;
        let table: Vec<f64> = (0..=n).map(|k| libm::lgamma(k as f64 + 1.0)).collect();
        let ln_fact = |k: u32| table[k as usize];
        let ln = |share: f64, k: u32| if k == 0 { 0.0 } else { k as f64 * share.ln() };
        let (mut cumulative, mut outcomes, mut total) = (Vec::new(), Vec::new(), 0.0);
        for pc in 0..=n {
            for dc in 0..=(n - pc) {
                let oc = n - pc - dc;
                if (p == 0.0 && pc > 0) || (d == 0.0 && dc > 0) || (o <= 0.0 && oc > 0) {
                    continue;
                }
                let lp = ln_fact(n) - ln_fact(pc) - ln_fact(dc) - ln_fact(oc)
                    + ln(p, pc)
                    + ln(d, dc)
                    + ln(o, oc);
                let prob = lp.exp();
                if prob > 1e-16 {
                    total += prob;
                    cumulative.push(total);
                    outcomes.push((pc as f64, dc as f64));
                }
            }
        }
        for c in &mut cumulative {
            *c /= total;
        }
        Trinomial {
            cumulative,
            outcomes,
        }
    }

    pub fn draw(&self, rng: &mut Rng) -> (f64, f64) {
        let u = rng.uniform();
        let i = self.cumulative.partition_point(|&c| c <= u);
        self.outcomes[i.min(self.outcomes.len() - 1)]
    }
}
