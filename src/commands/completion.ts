import { Argument, type Command, type Option } from 'commander';
import type { Deps } from '../deps.js';

export const shells = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof shells)[number];

interface Spec {
  name: string;
  description: string;
  options: Option[];
}

/** Commands and their long options, read from the commander program itself so they never drift. */
function specs(program: Command): Spec[] {
  return program.commands
    .filter((c) => c.name() !== 'help')
    .map((c) => ({ name: c.name(), description: c.description(), options: [...c.options] }));
}

const longs = (s: Spec) => s.options.map((o) => o.long).filter((l): l is string => Boolean(l));
const completionWords = (o: Option) =>
  o.long === '--profile' ? '$(pd-auth profiles --names 2>/dev/null)' : (o.argChoices ?? []).join(' ');

function bash(program: Command): string {
  const list = specs(program);
  const cases = list.map((s) => `    ${s.name}) opts="${[...longs(s), '--help'].join(' ')}" ;;`).join('\n');
  const values = list
    .flatMap((s) => s.options)
    .filter((o) => o.long && (o.long === '--profile' || o.argChoices))
    .map((o) => `    ${o.long}) COMPREPLY=( $(compgen -W "${completionWords(o)}" -- "$cur") ); return ;;`);
  return `# pd-auth completion for bash: eval "$(pd-auth completion bash)"
_pd_auth() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${list.map((s) => s.name).join(' ')} --help --version --verbose" -- "$cur") )
    return
  fi
  case "$prev" in
${[...new Set(values)].join('\n')}
  esac
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -F _pd_auth pd-auth
`;
}

function zsh(program: Command): string {
  // zsh runs the bash function through bashcompinit: one script to keep right, not two.
  return `# pd-auth completion for zsh: eval "$(pd-auth completion zsh)"
(( $+functions[compdef] )) || { autoload -U compinit && compinit; }
autoload -U +X bashcompinit && bashcompinit
${bash(program).split('\n').slice(1).join('\n')}`;
}

function fish(program: Command): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = ['# pd-auth completion for fish: pd-auth completion fish | source', 'complete -c pd-auth -f'];
  for (const s of specs(program)) {
    lines.push(`complete -c pd-auth -n __fish_use_subcommand -a ${s.name} -d ${q(s.description)}`);
    for (const o of s.options) {
      if (!o.long) continue;
      const arg = o.required || o.optional ? ' -r' : '';
      const values =
        o.long === '--profile'
          ? " -a '(pd-auth profiles --names 2>/dev/null)'"
          : o.argChoices
            ? ` -a ${q(o.argChoices.join(' '))}`
            : '';
      lines.push(
        `complete -c pd-auth -n '__fish_seen_subcommand_from ${s.name}' -l ${o.long.slice(2)}${arg}${values} -d ${q(o.description)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(program: Command, shell: Shell): string {
  return { bash, zsh, fish }[shell](program);
}

export function registerCompletion(program: Command, deps: () => Deps): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', shells.join(', ')).choices(shells))
    .action((shell: Shell) => {
      deps().io.stdout.write(completionScript(program, shell));
    });
}
