Feature: Calling SIP and H.323 systems through the gateway
  Guide, "Calling out to other (non-Skype for Business / Lync) endpoints": "You can make video
  calls to other non-Skype for Business / Lync endpoints such as SIP and H.323 devices,
  providing your administrator has configured the Pexip Distributed Gateway to allow such calls.
  As with making a video call to a Pexip VMR, you can just dial the address of the endpoint, or
  first add the video address of the other [...] endpoint to your Contact List before calling it."
  DESIGN §2 "Gateway (Distributed Gateway) rules": ascending priority, first enabled match wins;
  filters on direction and incoming protocol; the match is a whole-alias regular expression,
  rewritten by the replace string; never routed where no rule matches.

  The demo rule "Rooms" (priority 100) sends calls from SIP and Skype for Business for
  anything @rooms.example.com over SIP to the same address.

  Background:
    Given Parley runs the demo configuration
    And Alice uses Skype for Business
    And Dave uses a SIP room system at room1@rooms.example.com

  Scenario: Skype for Business calls a SIP room system
    When Alice dials room1@rooms.example.com
    Then Dave gets a call from "Alice"
    And Alice and Dave are in a call together
    And Alice sees Dave
    And Dave sees Alice

  Scenario: Calling a room system picked from the contact list
    Given Alice adds room1@rooms.example.com to her contacts
    And Alice sees room1@rooms.example.com as Available
    When Alice dials room1@rooms.example.com
    Then Alice and Dave are in a call together

  # H.323 systems exist only in the simulator until the H.323 adapter (DESIGN §2 "h323").
  @sim-only
  Scenario: Skype for Business calls an H.323 room system
    Given Erin uses an H.323 room system at 4401@h323.example.com
    And the gateway rule "H.323 rooms":
      | priority          | 50                    |
      | match_string      | (\d+)@h323\.example\.com |
      | outgoing_protocol | h323                  |
    When Alice dials 4401@h323.example.com
    Then Alice and Erin are in a call together

  Scenario: The rule rewrites the address it calls
    Given Erin uses a SIP room system at boardroom@internal.example.net
    And the gateway rule "Video addresses":
      | priority          | 20                         |
      | match_string      | (.+)@video\.example\.com   |
      | replace_string    | \1@internal.example.net    |
      | outgoing_protocol | sip                        |
    When Alice dials boardroom@video.example.com
    Then Alice and Erin are in a call together

  # H.323 systems exist only in the simulator until the H.323 adapter (DESIGN §2 "h323").
  @sim-only
  Scenario Outline: Rules are tried in priority order and the first enabled match wins
    Given Erin uses an H.323 room system at room1@rooms.example.com
    And the gateway rule "Rooms over H.323":
      | priority          | <priority> |
      | enable            | <enabled>  |
      | match_string      | (.+)@rooms\.example\.com |
      | outgoing_protocol | h323       |
    When Alice dials room1@rooms.example.com
    Then <who> gets a call from "Alice"

    Examples:
      | priority | enabled | who  |
      | 50       | true    | Erin |
      | 150      | true    | Dave |
      | 50       | false   | Dave |

  Scenario: A meeting room's address is never sent through the gateway
    Given the gateway rule "Everything at example.com":
      | priority          | 1               |
      | match_string      | .+@example\.com |
      | outgoing_protocol | sip             |
    When Alice dials meet.bob@example.com
    Then Alice is in "Bob's room"

  Scenario: No rule, no call: the gateway is not an open relay
    Given Erin uses a SIP room system at room9@elsewhere.net
    When Alice dials room9@elsewhere.net
    Then Alice's call fails
    And Erin is not called

  Scenario: A disabled rule routes nothing
    Given the administrator disables the gateway rule "Rooms"
    When Alice dials room1@rooms.example.com
    Then Alice's call fails
    And Dave is not called

  Scenario Outline: A rule takes calls only from the protocols it names
    Given the gateway rule "Rooms" does not take calls from <protocol>
    And <caller> uses <system>
    When <caller> dials room1@rooms.example.com
    Then <caller>'s call <outcome>

    Examples:
      | protocol          | caller | system             | outcome                  |
      | Skype for Business | Bob    | Skype for Business | fails                    |
      | SIP               | Bob    | Skype for Business | is answered              |
      | SIP               | Frank  | a SIP video app    | fails                    |
      | Skype for Business | Frank  | a SIP video app    | is answered              |

  Scenario: A call to a room system that does not answer stops ringing after the ring timeout
    Given the ring timeout is 30 seconds
    And Dave does not answer calls
    When Alice dials room1@rooms.example.com
    Then Dave gets a call from "Alice"
    When 29 seconds pass
    Then Alice hears ringing
    And Dave's phone is still ringing
    When 1 second passes
    Then Dave's call stops ringing
    And Alice's call fails

  Scenario: A rule for calls from meetings only does not take incoming calls
    Given the gateway rule "Outbound":
      | priority             | 10                          |
      | match_incoming_calls | false                       |
      | match_outgoing_calls | true                        |
      | match_string         | (.+)@outbound\.example\.com |
      | outgoing_protocol    | sip                         |
    And Erin uses a SIP room system at room1@outbound.example.com
    When Alice dials room1@outbound.example.com
    Then Alice's call fails
    And Erin is not called

  Scenario: A rule for registered callers only takes no caller yet
    Given the gateway rule "Rooms" takes calls from registered callers only
    When Alice dials room1@rooms.example.com
    Then Alice's call fails

  Scenario: The room system does not answer
    Given Dave's room system does not answer by itself
    And Dave does not answer calls
    When Alice dials room1@rooms.example.com
    Then Alice hears ringing
    When Dave declines the call
    Then Alice's call fails

  Scenario: An address the rule matches but where no system answers
    When Alice dials nobody@rooms.example.com
    Then Alice's call fails

  Scenario Outline: Either side hanging up ends the call for both
    Given Alice dials room1@rooms.example.com
    When <who> hangs up
    Then <other> is disconnected

    Examples:
      | who   | other |
      | Alice | Dave  |
      | Dave  | Alice |

  Scenario: Digits typed on Skype for Business reach the room system
    Given Alice dials room1@rooms.example.com
    When Alice enters 42# on the dial pad
    Then Dave receives the tones "42#"

  Scenario: A caller limited to audio by the rule
    Given the gateway rule "Audio rooms":
      | priority          | 20                            |
      | match_string      | (.+)@audio\.rooms\.example\.com |
      | replace_string    | \1@rooms.example.com          |
      | outgoing_protocol | sip                           |
      | call_type         | audio                         |
    When Alice dials room1@audio.rooms.example.com
    Then Alice and Dave are in a call together
    And Dave receives no video
