package io.baton.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.protocol.job.JobSpec;
import io.baton.protocol.job.JobSpecRules;
import io.baton.protocol.job.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobSpecParserTest {

  /** Single quotes stand for double quotes, to keep the table readable. */
  static byte[] j(String json) {
    return json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  static String job(String tasks) {
    return "{'name':'n','tasks':[" + tasks + "]}";
  }

  static String task(String extra) {
    return "{'id':'a','command':['/bin/true']" + (extra.isEmpty() ? "" : "," + extra) + "}";
  }

  static JobSpecParser.Result.Invalid invalid(String json) {
    return assertInstanceOf(JobSpecParser.Result.Invalid.class, JobSpecParser.parse(j(json)), json);
  }

  static JobSpec valid(String json) {
    JobSpecParser.Result r = JobSpecParser.parse(j(json));
    assertInstanceOf(JobSpecParser.Result.Valid.class, r, () -> json + " -> " + r);
    JobSpec spec = ((JobSpecParser.Result.Valid) r).spec();
    assertEquals(List.of(), JobSpecRules.check(spec), "the parser and the domain rules agree");
    return spec;
  }

  static Stream<Arguments> invalidSpecs() {
    String longName = "x".repeat(201);
    String longId = "i".repeat(65);
    return Stream.of(
        // document shape
        Arguments.of("[1,2]", "", "must be a JSON object, not an array"),
        Arguments.of("null", "", "must be a JSON object, not null"),
        Arguments.of("{'name':'n','tasks':[" + task("") + "],'foo':1}", "foo", "unknown field"),
        // name
        Arguments.of("{'tasks':[" + task("") + "]}", "name", "is required"),
        Arguments.of("{'name':null,'tasks':[" + task("") + "]}", "name", "is required"),
        Arguments.of("{'name':5,'tasks':[" + task("") + "]}", "name", "must be a string, not a number"),
        Arguments.of("{'name':'  ','tasks':[" + task("") + "]}", "name", "must not be empty"),
        Arguments.of("{'name':'" + longName + "','tasks':[" + task("") + "]}", "name", "at most 200 characters"),
        // labels
        Arguments.of("{'name':'n','labels':[],'tasks':[" + task("") + "]}", "labels", "must be an object of strings"),
        Arguments.of("{'name':'n','labels':{'team':1},'tasks':[" + task("") + "]}", "labels.team", "must be a string"),
        // tasks
        Arguments.of("{'name':'n'}", "tasks", "is required"),
        Arguments.of("{'name':'n','tasks':{}}", "tasks", "must be an array"),
        Arguments.of(job(""), "tasks", "at least one task"),
        Arguments.of(job("'a'"), "tasks[0]", "must be a JSON object, not a string"),
        Arguments.of(job(task("'cmd':['x']")), "tasks[0].cmd", "unknown field"),
        // id
        Arguments.of(job("{'command':['x']}"), "tasks[0].id", "is required"),
        Arguments.of(job("{'id':'','command':['x']}"), "tasks[0].id", "must not be empty"),
        Arguments.of(job("{'id':7,'command':['x']}"), "tasks[0].id", "must be a string"),
        Arguments.of(job("{'id':'a b','command':['x']}"), "tasks[0].id", "not a valid task id"),
        Arguments.of(job("{'id':'" + longId + "','command':['x']}"), "tasks[0].id", "not a valid task id"),
        Arguments.of(job(task("") + "," + task("")), "tasks[1].id", "duplicate task id 'a' (also used by tasks[0])"),
        // command / handler
        Arguments.of(job("{'id':'a'}"), "tasks[0]", "needs either command"),
        Arguments.of(job("{'id':'a','command':['x'],'handler':'noop'}"), "tasks[0]", "both command and handler"),
        Arguments.of(job("{'id':'a','command':'/bin/true'}"), "tasks[0].command", "must be an array of strings"),
        Arguments.of(job("{'id':'a','command':[]}"), "tasks[0].command", "must not be empty"),
        Arguments.of(job("{'id':'a','command':['']}"), "tasks[0].command[0]", "the program must not be empty"),
        Arguments.of(job("{'id':'a','command':['x',1]}"), "tasks[0].command[1]", "must be a string, not a number"),
        Arguments.of(job("{'id':'a','command':['x','a\\u0000b']}"), "tasks[0].command[1]", "NUL"),
        Arguments.of(job("{'id':'a','handler':''}"), "tasks[0].handler", "must not be empty"),
        Arguments.of(job("{'id':'a','handler':true}"), "tasks[0].handler", "must be a string, not a boolean"),
        Arguments.of(job("{'id':'a','handler':'sleep','args':[1]}"), "tasks[0].args", "must be a JSON object"),
        Arguments.of(job(task("'args':{}")), "tasks[0].args", "only allowed with handler"),
        // env, constraints
        Arguments.of(job(task("'env':['A=1']")), "tasks[0].env", "must be an object of strings"),
        Arguments.of(job(task("'env':{'A':1}")), "tasks[0].env.A", "must be a string"),
        Arguments.of(job(task("'env':{'A=B':'1'}")), "tasks[0].env.A=B", "must not contain '='"),
        Arguments.of(job(task("'constraints':{'zone':false}")), "tasks[0].constraints.zone", "must be a string"),
        // resources
        Arguments.of(job(task("'cpus':0")), "tasks[0].cpus", "must be > 0 and <= 1024"),
        Arguments.of(job(task("'cpus':-1")), "tasks[0].cpus", "must be > 0 and <= 1024"),
        Arguments.of(job(task("'cpus':1025")), "tasks[0].cpus", "must be > 0 and <= 1024"),
        Arguments.of(job(task("'cpus':1e400")), "tasks[0].cpus", "must be > 0 and <= 1024"),
        Arguments.of(job(task("'cpus':0.0001")), "tasks[0].cpus", "at least 0.001"),
        Arguments.of(job(task("'cpus':'1'")), "tasks[0].cpus", "must be a number, not a string"),
        Arguments.of(job(task("'memoryMb':0")), "tasks[0].memoryMb", "between 1 and 4194304"),
        Arguments.of(job(task("'memoryMb':4194305")), "tasks[0].memoryMb", "between 1 and 4194304"),
        Arguments.of(job(task("'memoryMb':99999999999999999999999")), "tasks[0].memoryMb", "between 1 and 4194304"),
        Arguments.of(job(task("'memoryMb':1.5")), "tasks[0].memoryMb", "must be an integer"),
        Arguments.of(job(task("'memoryMb':'big'")), "tasks[0].memoryMb", "must be an integer"),
        Arguments.of(job(task("'retries':-1")), "tasks[0].retries", "between 0 and 100"),
        Arguments.of(job(task("'retries':101")), "tasks[0].retries", "between 0 and 100"),
        Arguments.of(job(task("'retries':2.5")), "tasks[0].retries", "must be an integer"),
        Arguments.of(job(task("'timeoutSeconds':-1")), "tasks[0].timeoutSeconds", "between 0 and 2592000"),
        Arguments.of(job(task("'timeoutSeconds':2592001")), "tasks[0].timeoutSeconds", "between 0 and 2592000"),
        // dependencies
        Arguments.of(job(task("'dependsOn':'b'")), "tasks[0].dependsOn", "must be an array of task ids"),
        Arguments.of(job(task("'dependsOn':[1]")), "tasks[0].dependsOn[0]", "must be a task id string"),
        Arguments.of(job(task("'dependsOn':['ghost']")), "tasks[0].dependsOn[0]", "unknown task 'ghost'"),
        Arguments.of(job(task("'dependsOn':['a']")), "tasks[0].dependsOn[0]", "cannot depend on itself"),
        Arguments.of(job(task("'dependsOn':['b','b']") + ",{'id':'b','command':['x']}"),
            "tasks[0].dependsOn[1]", "duplicate dependency 'b'"),
        Arguments.of(job("{'id':'a','command':['x'],'dependsOn':['b']},{'id':'b','command':['x'],'dependsOn':['a']}"),
            "tasks[0].dependsOn", "dependency cycle: a -> b -> a"),
        Arguments.of(job("{'id':'a','command':['x'],'dependsOn':['c']},{'id':'b','command':['x'],'dependsOn':['a']},"
            + "{'id':'c','command':['x'],'dependsOn':['b']},{'id':'d','command':['x'],'dependsOn':['a']}"),
            "tasks[0].dependsOn", "dependency cycle: a -> c -> b -> a"),
        // shards, broadcast, fanOut
        Arguments.of(job(task("'shards':0")), "tasks[0].shards", "must be between 1 and 10000, not 0"),
        Arguments.of(job(task("'shards':10001")), "tasks[0].shards", "must be between 1 and 10000, not 10001"),
        Arguments.of(job(task("'shards':2.5")), "tasks[0].shards", "must be an integer"),
        Arguments.of(job(task("'shards':4,'broadcast':true")), "tasks[0].shards", "cannot be combined with broadcast"),
        Arguments.of(job(task("'broadcast':'yes'")), "tasks[0].broadcast", "must be true or false"),
        Arguments.of(job(task("'fanOut':'b'")), "tasks[0].fanOut", "must be an object"),
        Arguments.of(job(task("'fanOut':{}")), "tasks[0].fanOut.from", "is required"),
        Arguments.of(job(task("'fanOut':{'from':'b','x':1}") + ",{'id':'b','command':['x']}"), "tasks[0].fanOut.x",
            "unknown field"),
        Arguments.of(job(task("'fanOut':{'from':'b'}") + ",{'id':'b','command':['x']}"), "tasks[0].fanOut.from",
            "'b' is not a dependency of this task"),
        Arguments.of(job(task("'fanOut':{'from':'b'},'dependsOn':['b'],'shards':3") + ",{'id':'b','command':['x']}"),
            "tasks[0].fanOut", "cannot be combined with shards or broadcast"),
        Arguments.of(job(task("'shards':10000") + ",{'id':'b','command':['x'],'shards':10000},{'id':'c','command':['x']}"), "tasks",
            "must hold at most 20000 units (tasks run once plus shards), not 20001"));
  }

  @Test
  void aShardedTaskIsValidAndEveryParallelismProblemIsListedAtOnce() {
    assertEquals(4, valid(job(task("'shards':4"))).tasks().get(0).shards());
    List<String> paths = invalid(job(task("'shards':4,'broadcast':true,'fanOut':{'from':'ghost'}"))).violations()
        .stream().map(Violation::path).toList();
    assertEquals(List.of("tasks[0].shards", "tasks[0].broadcast", "tasks[0].fanOut", "tasks[0].fanOut.from",
        "tasks[0].fanOut"), paths);
  }

  @ParameterizedTest(name = "[{index}] {1}: {2}")
  @MethodSource("invalidSpecs")
  void rejectsWithPathAndMessage(String json, String path, String message) {
    List<Violation> violations = invalid(json).violations();
    assertTrue(violations.stream().anyMatch(v -> v.path().equals(path) && v.message().contains(message)),
        () -> "expected " + path + ": " + message + " in " + violations);
  }

  static Stream<Arguments> malformedBodies() {
    return Stream.of(
        Arguments.of("", "empty"),
        Arguments.of("   ", "empty"),
        Arguments.of("{", "malformed JSON"),
        Arguments.of("{'name':'n',}", "malformed JSON at line 1"),
        Arguments.of("{'name':'n','name':'m'}", "Duplicate field 'name'"),
        Arguments.of("{} {}", "malformed JSON"),
        Arguments.of("{'name':NaN}", "malformed JSON"),
        Arguments.of("[".repeat(5000) + "]".repeat(5000), "nesting depth"),
        Arguments.of("{'a':".repeat(5000) + "1" + "}".repeat(5000), "nesting depth"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("malformedBodies")
  void malformedJsonIsReportedNotThrown(String body, String fragment) {
    JobSpecParser.Result r = JobSpecParser.parse(j(body));
    var malformed = assertInstanceOf(JobSpecParser.Result.Malformed.class, r);
    assertTrue(malformed.detail().contains(fragment), malformed.detail());
  }

  @Test
  void secretEnvIsParsedLikeEnvAndNeverSharesANameWithIt() {
    JobSpec spec = valid(job(task("'env':{'A':'1'},'secretEnv':{'TOKEN':'s3cr3t'}")));
    assertEquals(Map.of("TOKEN", "s3cr3t"), spec.tasks().get(0).secretEnv());
    assertEquals(Map.of("A", "1"), spec.tasks().get(0).env());

    var both = invalid(job(task("'env':{'TOKEN':'1'},'secretEnv':{'TOKEN':'s3cr3t'}")));
    assertEquals("tasks[0].secretEnv.TOKEN", both.violations().get(0).path(), both.toString());
    assertTrue(both.violations().get(0).message().contains("env or secretEnv"), both.toString());
    var badName = invalid(job(task("'secretEnv':{'A=B':'s3cr3t'}")));
    assertTrue(badName.violations().get(0).message().contains("'='"), badName.toString());
    var notText = invalid(job(task("'secretEnv':{'N':5}")));
    assertEquals("tasks[0].secretEnv.N", notText.violations().get(0).path());
    for (var v : List.of(both, badName)) {
      assertTrue(!v.toString().contains("s3cr3t"), "a violation never quotes a secret: " + v);
    }
  }

  @Test
  void specExampleParsesWithDefaults() {
    JobSpec spec = valid("""
        {"name": "nightly-etl", "labels": {"team": "data"}, "tasks": [
          {"id": "extract", "command": ["/bin/sh", "-c", "echo extracting"], "env": {"STAGE": "1"}, "cpus": 1,
           "memoryMb": 256, "retries": 2, "timeoutSeconds": 600, "constraints": {"zone": "a"}},
          {"id": "load", "command": ["/bin/echo", "loaded"], "dependsOn": ["extract"]}]}""");
    assertEquals("nightly-etl", spec.name());
    assertEquals(Map.of("team", "data"), spec.labels());
    assertEquals(new TaskSpec("extract", List.of("/bin/sh", "-c", "echo extracting"), null, "{}", Map.of("STAGE", "1"),
        1, 256, 2, 600, Map.of("zone", "a"), List.of()), spec.tasks().get(0));
    assertEquals(TaskSpec.command("load", List.of("/bin/echo", "loaded"), List.of("extract")), spec.tasks().get(1));
  }

  @Test
  void handlerArgsAreKeptAsCompactJson() {
    JobSpec spec = valid(job("{'id':'s','handler':'sleep','args':{'millis': 5, 'nested': {'x': [1, 2]}}}"));
    TaskSpec t = spec.tasks().get(0);
    assertEquals("sleep", t.handler());
    assertEquals("{\"millis\":5,\"nested\":{\"x\":[1,2]}}", t.argsJson());
    assertTrue(t.command().isEmpty());
    assertEquals("{}", valid(job("{'id':'s','handler':'noop'}")).tasks().get(0).argsJson());
  }

  @Test
  void nullOptionalFieldsMeanDefaults() {
    TaskSpec t = valid("{'name':'n','labels':null,'tasks':[{'id':'a','command':['x'],'handler':null,'env':null,"
        + "'cpus':null,'memoryMb':null,'retries':null,'timeoutSeconds':null,'constraints':null,'dependsOn':null}]}")
        .tasks().get(0);
    assertEquals(TaskSpec.command("a", List.of("x"), List.of()), t);
  }

  @Test
  void boundaryValuesAreAccepted() {
    TaskSpec t = valid(job(task("'cpus':1024,'memoryMb':4194304,'retries':100,'timeoutSeconds':2592000"))).tasks().get(0);
    assertEquals(1024, t.cpus());
    assertEquals(4194304, t.memoryMb());
    assertEquals(100, t.retries());
    assertEquals(2592000, t.timeoutSeconds());
    TaskSpec small = valid(job(task("'cpus':0.001,'memoryMb':1,'retries':0,'timeoutSeconds':0"))).tasks().get(0);
    assertEquals(1, small.milliCpus());
    String id64 = "A-z_.0".repeat(10) + "abcd";
    assertEquals(id64, valid(job("{'id':'" + id64 + "','command':['x']}")).tasks().get(0).id());
  }

  @Test
  void reportsEveryViolationAtOnce() {
    List<Violation> v = invalid("{'name':'','extra':1,'tasks':[{'id':'a','command':[],'cpus':0},"
        + "{'id':'a','handler':'noop','dependsOn':['zzz']}]}").violations();
    List<String> paths = v.stream().map(Violation::path).collect(Collectors.toList());
    assertEquals(List.of("extra", "name", "tasks[1].id", "tasks[0].command", "tasks[0].cpus", "tasks[1].dependsOn[0]"),
        paths, v::toString);
  }

  @Test
  void tenThousandTasksInAChainAreFineAndOneMoreIsNot() {
    String chain = IntStream.range(0, JobSpecParser.MAX_TASKS)
        .mapToObj(i -> "{'id':'t" + i + "','handler':'noop'" + (i > 0 ? ",'dependsOn':['t" + (i - 1) + "']" : "") + "}")
        .collect(Collectors.joining(","));
    assertEquals(JobSpecParser.MAX_TASKS, valid(job(chain)).tasks().size());

    String tooMany = chain + ",{'id':'extra','handler':'noop'}";
    assertEquals("must contain at most 10000 tasks, not 10001", invalid(job(tooMany)).violations().get(0).message());
  }

  @Test
  void longCycleIsFoundWithoutRecursion() {
    int n = 5000;
    String ring = IntStream.range(0, n)
        .mapToObj(i -> "{'id':'t" + i + "','handler':'noop','dependsOn':['t" + ((i + 1) % n) + "']}")
        .collect(Collectors.joining(","));
    List<Violation> v = invalid(job(ring)).violations();
    assertEquals(1, v.size(), v::toString);
    assertTrue(v.get(0).message().startsWith("dependency cycle: t0 -> t1 -> t2"), v.get(0).message());
    assertTrue(v.get(0).message().endsWith("t4999 -> t0"));
  }

  @Test
  void violationsAreCapped() {
    String bad = IntStream.range(0, 3000).mapToObj(i -> "{'id':'t" + i + "','command':[]}").collect(Collectors.joining(","));
    List<Violation> v = invalid(job(bad)).violations();
    assertEquals(JobSpecParser.MAX_VIOLATIONS + 1, v.size());
    assertEquals("2000 more violations not shown", v.get(v.size() - 1).message());
  }
}
