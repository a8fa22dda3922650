//! What of a plan one segment holds, in the plan's own terms: the users of each stage, the hits,
//! the users at each target, the arrivals of the open model. The merge names a missing segment by
//! it, and `--dry-run` prints it for every segment.

use crate::plan::model::{Plan, Shape};
use crate::plan::segment::Segment;

impl Plan {
    /// What `segment` of this plan runs, e.g. `users 4 of 10, 7 of 20 per stage, 220 hits`,
    /// `users 5 of 9, 2 of 3 at the targets`, or `67 of 200 arrivals, 10 of 30 --max-users`.
    pub fn share_text(&self, segment: Segment) -> String {
        let of = |counts: &mut dyn Iterator<Item = u32>| -> String {
            counts
                .map(|u| format!("{} of {u}", segment.share(u64::from(u))))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.shape {
            Shape::Fixed { users, .. } => {
                let hits = self
                    .clone()
                    .with_segment(segment)
                    .ok()
                    .and_then(|p| p.total_hits())
                    .map(|h| format!(", {h} hits"))
                    .unwrap_or_default();
                format!("users {} per stage{hits}", of(&mut users.iter().copied()))
            }
            Shape::Ramping { targets, .. } => format!(
                "users {} at the targets",
                of(&mut targets.iter().map(|t| t.users))
            ),
            Shape::Rate(rate) => {
                let weights: Vec<u32> = if self.mix.is_empty() {
                    vec![1]
                } else {
                    self.mix.iter().map(|(_, w)| (*w).max(1)).collect()
                };
                let sum: u32 = weights.iter().sum();
                // Each test of a mix is a stream of its own, split by arrival index.
                let (mine, all) = weights.iter().fold((0, 0), |(mine, all), &w| {
                    let arrivals = rate.arrivals(f64::from(w) / f64::from(sum));
                    (mine + segment.share(arrivals), all + arrivals)
                });
                format!(
                    "{mine} of {all} arrivals, {} of {} --max-users",
                    segment.share(u64::from(rate.max_users)),
                    rate.max_users
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares(options: &str, n: u32) -> Vec<String> {
        let plan: Plan = options.parse().unwrap();
        (1..=n)
            .map(|k| plan.share_text(Segment::new(k, n).unwrap()))
            .collect()
    }

    #[test]
    fn each_shape_says_its_share_in_its_own_terms() {
        assert_eq!(
            shares("-u 10:20:30 -c 20", 3),
            [
                "users 4 of 10, 7 of 20, 10 of 30 per stage, 420 hits",
                "users 3 of 10, 7 of 20, 10 of 30 per stage, 400 hits",
                "users 3 of 10, 6 of 20, 10 of 30 per stage, 380 hits",
            ]
        );
        assert_eq!(
            shares("-u 7 -d 10s", 5)[4],
            "users 1 of 7 per stage",
            "no hits to count in a duration run"
        );
        assert_eq!(
            shares("--stages '9@10s, 3@5s'", 2),
            [
                "users 5 of 9, 2 of 3 at the targets",
                "users 4 of 9, 1 of 3 at the targets"
            ]
        );
        assert_eq!(
            shares("--rate 100/s -d 2s --max-users 30", 3),
            [
                "67 of 200 arrivals, 10 of 30 --max-users",
                "67 of 200 arrivals, 10 of 30 --max-users",
                "66 of 200 arrivals, 10 of 30 --max-users",
            ]
        );
    }

    #[test]
    fn arrivals_are_the_hits_the_schedule_gives_a_time() {
        let plan: Plan = "--rate-stages '10/s@2s, 0/s@2s'".parse().unwrap();
        let Shape::Rate(rate) = &plan.shape else {
            unreachable!()
        };
        let arrivals = rate.arrivals(1.0);
        assert!(rate.due(arrivals - 1, 1.0).is_some() && rate.due(arrivals, 1.0).is_none());
        assert_eq!(arrivals, 20, "the area under the rate: 10 up, 10 down");
        assert_eq!(rate.arrivals(0.25), 5);
    }

    proptest::proptest! {
        #[test]
        fn the_segments_of_any_plan_add_up_to_it(
            stages in proptest::collection::vec(1u32..400, 1..5),
            hits in 1u64..50,
            n in 1u32..40,
        ) {
            let stages: Vec<String> = stages.iter().map(u32::to_string).collect();
            let whole: Plan = format!("-u {} -c {hits}", stages.join(":")).parse().unwrap();
            let Shape::Fixed { users, .. } = &whole.shape else {
                unreachable!()
            };
            let parts: Vec<Plan> = (1..=n)
                .map(|k| {
                    let segment = Segment::new(k, n).unwrap();
                    whole.clone().with_segment(segment).unwrap()
                })
                .collect();
            let hits: u64 = parts.iter().map(|p| p.total_hits().unwrap()).sum();
            proptest::prop_assert_eq!(Some(hits), whole.total_hits());
            for &stage in users {
                for user in 0..u64::from(stage) {
                    let owners = parts.iter().filter(|p| p.segment.owns(user)).count();
                    proptest::prop_assert_eq!(owners, 1, "user {} of a stage", user);
                }
            }
        }

        #[test]
        fn the_segments_of_any_open_model_fire_each_arrival_once(
            rate in 1u32..300,
            secs in 1u32..6,
            n in 1u32..12,
        ) {
            let options = format!("--rate {rate}/s -d {secs}s --max-users {n}");
            let whole: Plan = options.parse().unwrap();
            let Shape::Rate(schedule) = &whole.shape else {
                unreachable!()
            };
            let all = schedule.arrivals(1.0);
            proptest::prop_assert_eq!(all, u64::from(rate * secs));
            let mut fired = 0;
            for k in 1..=n {
                let segment = Segment::new(k, n).unwrap();
                let part = whole.clone().with_segment(segment).unwrap();
                // As the engine fires them: the segment's j-th own arrival until one is not due.
                let mine = (0..)
                    .take_while(|&j| schedule.due(part.segment.nth_owned(j), 1.0).is_some())
                    .count() as u64;
                proptest::prop_assert_eq!(mine, segment.share(all));
                fired += mine;
            }
            proptest::prop_assert_eq!(fired, all);
        }
    }
}
