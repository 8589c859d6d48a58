package io.baton.web.metrics;

import io.baton.ha.HaServices;
import io.baton.ha.JobStore;
import io.baton.ha.LeaderContender;
import io.baton.ha.LeaderElection;
import io.baton.ha.LeaderRetrieval;
import io.baton.ha.ScheduleStore;
import io.baton.protocol.Epoch;
import io.baton.protocol.LeaderInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@link HaServices} whose election tells {@link MasterMetrics} of every grant and revocation (on the election's
 * own callback thread, before the contender hears of it; nothing blocks) and whose job store is a
 * {@link MeteredJobStore}. Everything else is the wrapped services'.
 */
final class MeteredHaServices implements HaServices {
  private final HaServices ha;
  private final MasterMetrics metrics;
  private final JobStore jobStore;

  MeteredHaServices(HaServices ha, MasterMetrics metrics) {
    this.ha = ha;
    this.metrics = metrics;
    this.jobStore = new MeteredJobStore(ha.jobStore(), metrics.registry(), metrics::recovered);
  }

  @Override
  public LeaderElection leaderElection(String participantId) {
    return new MeteredElection(ha.leaderElection(participantId));
  }

  @Override
  public LeaderRetrieval leaderRetrieval() {
    return ha.leaderRetrieval();
  }

  @Override
  public JobStore jobStore() {
    return jobStore;
  }

  @Override
  public ScheduleStore scheduleStore() {
    return ha.scheduleStore();
  }

  @Override
  public String connectionState() {
    return ha.connectionState();
  }

  @Override
  public void close() {
    ha.close();
  }

  private final class MeteredElection implements LeaderElection {
    private final LeaderElection election;

    MeteredElection(LeaderElection election) {
      this.election = election;
    }

    @Override
    public void start(LeaderContender contender) throws Exception {
      election.start(new LeaderContender() {
        @Override
        public void grantLeadership(Epoch epoch) {
          metrics.granted(epoch);
          contender.grantLeadership(epoch);
        }

        @Override
        public void revokeLeadership() {
          metrics.revoked();
          contender.revokeLeadership();
        }

        @Override
        public void handleError(Throwable error) {
          contender.handleError(error);
        }
      });
    }

    @Override
    public CompletableFuture<Void> confirmLeadership(Epoch epoch, LeaderInfo info) {
      return election.confirmLeadership(epoch, info);
    }

    @Override
    public boolean hasLeadership(Epoch epoch) {
      return election.hasLeadership(epoch);
    }

    @Override
    public List<String> participants() {
      return election.participants();
    }

    @Override
    public void stepDown(boolean rejoin) {
      election.stepDown(rejoin);
    }

    @Override
    public void close() {
      election.close();
    }
  }
}
